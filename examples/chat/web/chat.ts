// The demo page: connects to /ws and shows the conversation. Its message types are
// generated from schemas/ (see generate-types.mjs), so a message of the wrong shape does
// not compile.
import type { ChatClientMessage } from "./generated/client.js";
import type { ChatServerMessage } from "./generated/server.js";

type Kind = "system" | "error" | undefined;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new TypeError(`the page has no #${id}`);
  return found as T;
}

const log = element<HTMLDivElement>("log");
const status = element<HTMLParagraphElement>("status");
const controls = element<HTMLFieldSetElement>("chat");
const reconnect = element<HTMLButtonElement>("reconnect");
const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;

function show(text: string, kind: Kind): void {
  const line = document.createElement("p");
  line.textContent = text;
  if (kind !== undefined) line.className = kind;
  log.appendChild(line);
  log.scrollTop = log.scrollHeight;
}

function setStatus(text: string, kind: Kind): void {
  status.textContent = text;
  status.className = kind ?? "";
}

function describe(message: ChatServerMessage): [string, Kind] {
  switch (message.type) {
    case "welcome":
      return [`welcome, ${message.name}; here: ${message.members.join(", ") || "nobody yet"}`, "system"];
    case "joined":
      return [`${message.name} joined`, "system"];
    case "said":
      return [`${message.name}: ${message.text}`, undefined];
    case "left":
      return [`${message.name} left`, "system"];
    case "members":
      return [`here: ${message.names.join(", ") || "nobody"}`, "system"];
    case "error":
      return [`error: ${message.detail}`, "error"];
  }
}

// 1000 is a normal end (after a leave, or the server ending the chat); any other code is an error.
function describeClose(event: CloseEvent, leaving: boolean): [string, Kind] {
  if (event.code === 1000) {
    return [leaving ? "you left" : `disconnected${event.reason ? `: ${event.reason}` : ""}`, "system"];
  }
  return [`closed: ${event.code}${event.reason ? ` ${event.reason}` : ""}`, "error"];
}

let leaving = false;

// The controls are enabled only while the connection is open, so nothing typed goes into a
// closed socket; after a close, the reconnect button opens a new connection to join again.
function connect(): WebSocket {
  const socket = new WebSocket(url);
  leaving = false;
  reconnect.hidden = true;
  setStatus("connecting…", undefined);
  socket.addEventListener("open", () => {
    setStatus(`connected to ${url}`, undefined);
    controls.disabled = false;
  });
  socket.addEventListener("close", (event: CloseEvent) => {
    const [text, kind] = describeClose(event, leaving);
    setStatus(text, kind);
    show(text, kind);
    controls.disabled = true;
    reconnect.hidden = false;
  });
  socket.addEventListener("message", (event: MessageEvent<string>) => {
    const [text, kind] = describe(JSON.parse(event.data) as ChatServerMessage);
    show(text, kind);
  });
  return socket;
}

let socket = connect();

function send(message: ChatClientMessage): void {
  socket.send(JSON.stringify(message));
}

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
element<HTMLButtonElement>("leave").addEventListener("click", () => {
  leaving = true;
  send({ type: "leave" });
});
reconnect.addEventListener("click", () => {
  socket = connect();
});
