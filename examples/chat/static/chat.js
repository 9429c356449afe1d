function element(id) {
    const found = document.getElementById(id);
    if (found === null)
        throw new TypeError(`the page has no #${id}`);
    return found;
}
const log = element("log");
const status = element("status");
const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
const socket = new WebSocket(url);
function show(text, kind) {
    const line = document.createElement("p");
    line.textContent = text;
    if (kind !== undefined)
        line.className = kind;
    log.appendChild(line);
    log.scrollTop = log.scrollHeight;
}
function send(message) {
    socket.send(JSON.stringify(message));
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
        case "error":
            return [`error: ${message.detail}`, "error"];
    }
}
socket.addEventListener("open", () => {
    status.textContent = `connected to ${url}`;
});
socket.addEventListener("close", (event) => {
    const reason = event.reason ? ` ${event.reason}` : "";
    status.textContent = `closed: ${event.code}${reason}`;
    show(`connection closed with code ${event.code}${reason ? ":" + reason : ""}`, "error");
});
socket.addEventListener("message", (event) => {
    const [text, kind] = describe(JSON.parse(event.data));
    show(text, kind);
});
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
element("leave").addEventListener("click", () => send({ type: "leave" }));
export {};
