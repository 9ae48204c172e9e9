// Layer-4 data plane of the local proxy: TLS (passthrough by SNI, or terminate), TCP, UDP.
export { createTlsPort } from "./tls-port.js";
export { createTcpPort } from "./tcp-port.js";
export { createUdpPort, udpPortFactory, DEFAULT_MAX_UDP_SESSIONS, type UdpPortOptions } from "./udp-port.js";
export { ClientHelloReader, MAX_CLIENT_HELLO_BYTES, type HelloResult } from "./client-hello.js";
export { WeightedPicker } from "./weighted-picker.js";
