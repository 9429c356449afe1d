"""A WebSocket client on a bare socket, for what no library client sends: handshakes and
frames cut short, clients that never read."""

from __future__ import annotations

import socket

from websockets.frames import Frame, Opcode

HANDSHAKE = (
    "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)
"""The opening handshake's request; ``.format(path=...)`` names the path."""


def upgrade(sock: socket.socket, path: str) -> None:
    """Complete the opening handshake on *sock*; read the server's 101 and nothing more."""
    sock.sendall(HANDSHAKE.format(path=path).encode())
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(1)
        assert chunk, "the server closed during the handshake"
        response += chunk
    assert response.startswith(b"HTTP/1.1 101"), response


def connected(url: str, *, receive_buffer: int | None = None) -> socket.socket:
    """A bare TCP connection to the server at *url* (``ws://host:port``), not upgraded;
    with *receive_buffer*, a small one makes a client that never reads stall the server's
    sends sooner."""
    host, port = url.removeprefix("ws://").split(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(10)
    try:
        sock.connect((host, int(port)))
    except BaseException:
        sock.close()
        raise
    return sock


def upgraded(url: str, path: str, *, receive_buffer: int | None = None) -> socket.socket:
    """A socket to the server at *url*, upgraded at *path* (see ``connected``)."""
    sock = connected(url, receive_buffer=receive_buffer)
    try:
        upgrade(sock, path)
    except BaseException:
        sock.close()
        raise
    return sock


def text_frame(text: str) -> bytes:
    """A masked text frame holding *text*."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=True)
