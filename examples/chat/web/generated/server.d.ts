// Generated from schemas/chat.server.schema.json by generate-types.mjs: do not edit.

export type ChatServerMessage = Welcome | Joined | Said | Left | Members | Error;

/**
 * You joined: your name, who else is here, and whether what the room said since the
 * ``since`` you connected with was all still there (always true without ``since``).
 */
export interface Welcome {
  type: "welcome";
  name: string;
  members: string[];
  recovered: boolean;
}
/**
 * Someone joined.
 */
export interface Joined {
  type: "joined";
  name: string;
  /**
   * The room's offset of this message: resume after it.
   */
  offset: string;
}
/**
 * Someone said something.
 */
export interface Said {
  type: "said";
  name: string;
  text: string;
  at: string;
  /**
   * The room's offset of this message: resume after it.
   */
  offset: string;
}
/**
 * Someone left.
 */
export interface Left {
  type: "left";
  name: string;
  /**
   * The room's offset of this message: resume after it.
   */
  offset: string;
}
/**
 * The reply to ``who``: the names of the members, sorted.
 */
export interface Members {
  type: "members";
  id: string;
  names: string[];
}
/**
 * Your last message could not be carried out; the connection stays open.
 */
export interface Error {
  type: "error";
  detail: string;
}
