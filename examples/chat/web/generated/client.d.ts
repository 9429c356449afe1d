// Generated from schemas/chat.client.schema.json by generate-types.mjs: do not edit.

export type ChatClientMessage = Join | Say | Leave | Who;

/**
 * Join the room under a name.
 */
export interface Join {
  type: "join";
  name: string;
}
/**
 * Say something to the room.
 */
export interface Say {
  type: "say";
  text: string;
}
/**
 * Leave the room.
 */
export interface Leave {
  type: "leave";
}
/**
 * Ask who is in the room: a request, answered by ``members`` with the same ``id``.
 */
export interface Who {
  type: "who";
  id: string;
}
