// Generated from schemas/chat.server.schema.json by generate-types.mjs: do not edit.

export type ChatServerMessage = Welcome | Joined | Said | Left | Members | Error;

/**
 * You joined: your name and who is here.
 */
export interface Welcome {
  type: "welcome";
  name: string;
  members: string[];
}
/**
 * Someone else joined.
 */
export interface Joined {
  type: "joined";
  name: string;
}
/**
 * Someone said something.
 */
export interface Said {
  type: "said";
  name: string;
  text: string;
  at: string;
}
/**
 * Someone left.
 */
export interface Left {
  type: "left";
  name: string;
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
