// Messages of the wrong shape: each line below the directive must be a compile error.
// `tsc -p examples/chat/web/negative` passes only while every one of them is refused.
import type { ChatClientMessage } from "../generated/client.js";
import type { ChatServerMessage } from "../generated/server.js";

export const wrong: ChatClientMessage[] = [
  // @ts-expect-error: a type the server does not know
  { type: "shout", text: "hi" },
  // @ts-expect-error: a field the message does not have (a typo of "text")
  { type: "say", txt: "hi" },
  // @ts-expect-error: a required field missing
  { type: "join" },
  // @ts-expect-error: a field of the wrong type
  { type: "say", text: 42 },
];

export function names(message: ChatServerMessage): string {
  // @ts-expect-error: only some server messages have a name
  return message.name;
}
