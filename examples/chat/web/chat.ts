// The demo page: connects to /ws and shows the conversation. Its message types are
// generated from schemas/ (see generate-types.mjs), so a message of the wrong shape does
// not compile.
import type { ChatClientMessage } from "./generated/client.js";
import type { ChatServerMessage } from "./generated/server.js";

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new TypeError(`the page has no #${id}`);
  return found as T;
}

const log = element<HTMLDivElement>("log");
const status = element<HTMLParagraphElement>("status");
const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
const socket = new WebSocket(url);

function show(text: string, kind?: "system" | "error"): void {
  const line = document.createElement("p");
  line.textContent = text;
  if (kind !== undefined) line.className = kind;
  log.appendChild(line);
  log.scrollTop = log.scrollHeight;
}

function send(message: ChatClientMessage): void {
  socket.send(JSON.stringify(message));
}

function describe(message: ChatServerMessage): [string, "system" | "error" | undefined] {
  switch (message.type) {
    case "welcome":
      return [`welcome, ${message.name}; here: ${message.members.join(", ") || "nobody yet"}`, "system"];
    case "joined":
      return [`${message.name} joined`, "system"];
    case "said":
      return [`${message.name}: ${message.text}`, undefined];
    case "left":
      return [`${message.name} left`, "system"];
    case "error":
      return [`error: ${message.detail}`, "error"];
  }
}

socket.addEventListener("open", () => {
  status.textContent = `connected to ${url}`;
});
socket.addEventListener("close", (event: CloseEvent) => {
  const reason = event.reason ? ` ${event.reason}` : "";
  status.textContent = `closed: ${event.code}${reason}`;
  show(`connection closed with code ${event.code}${reason ? ":" + reason : ""}`, "error");
});
socket.addEventListener("message", (event: MessageEvent<string>) => {
  const [text, kind] = describe(JSON.parse(event.data) as ChatServerMessage);
  show(text, kind);
});

function onSubmit(id: string, handle: () => void): void {
  element<HTMLFormElement>(id).addEventListener("submit", (event: SubmitEvent) => {
    event.preventDefault();
    handle();
  });
}

onSubmit("join", () => send({ type: "join", name: element<HTMLInputElement>("name").value }));
onSubmit("say", () => {
  const input = element<HTMLInputElement>("text");
  send({ type: "say", text: input.value });
  input.value = "";
});
onSubmit("raw", () => socket.send(element<HTMLInputElement>("raw-text").value));
element<HTMLButtonElement>("leave").addEventListener("click", () => send({ type: "leave" }));
