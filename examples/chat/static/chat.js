function element(id) {
    const found = document.getElementById(id);
    if (found === null)
        throw new TypeError(`the page has no #${id}`);
    return found;
}
const log = element("log");
const status = element("status");
const controls = element("chat");
const reconnect = element("reconnect");
const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
function show(text, kind) {
    const line = document.createElement("p");
    line.textContent = text;
    if (kind !== undefined)
        line.className = kind;
    log.appendChild(line);
    log.scrollTop = log.scrollHeight;
}
function setStatus(text, kind) {
    status.textContent = text;
    status.className = kind ?? "";
}
function describe(message) {
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
function describeClose(event, leaving) {
    if (event.code === 1000) {
        return [leaving ? "you left" : `disconnected${event.reason ? `: ${event.reason}` : ""}`, "system"];
    }
    return [`closed: ${event.code}${event.reason ? ` ${event.reason}` : ""}`, "error"];
}
let leaving = false;
// The controls are enabled only while the connection is open, so nothing typed goes into a
// closed socket; after a close, the reconnect button opens a new connection to join again.
function connect() {
    const socket = new WebSocket(url);
    leaving = false;
    reconnect.hidden = true;
    setStatus("connecting…", undefined);
    socket.addEventListener("open", () => {
        setStatus(`connected to ${url}`, undefined);
        controls.disabled = false;
    });
    socket.addEventListener("close", (event) => {
        const [text, kind] = describeClose(event, leaving);
        setStatus(text, kind);
        show(text, kind);
        controls.disabled = true;
        reconnect.hidden = false;
    });
    socket.addEventListener("message", (event) => {
        const [text, kind] = describe(JSON.parse(event.data));
        show(text, kind);
    });
    return socket;
}
let socket = connect();
function send(message) {
    socket.send(JSON.stringify(message));
}
function onSubmit(id, handle) {
    element(id).addEventListener("submit", (event) => {
        event.preventDefault();
        handle();
    });
}
onSubmit("join", () => send({ type: "join", name: element("name").value }));
onSubmit("say", () => {
    const input = element("text");
    send({ type: "say", text: input.value });
    input.value = "";
});
onSubmit("raw", () => socket.send(element("raw-text").value));
element("leave").addEventListener("click", () => {
    leaving = true;
    send({ type: "leave" });
});
reconnect.addEventListener("click", () => {
    socket = connect();
});
export {};
