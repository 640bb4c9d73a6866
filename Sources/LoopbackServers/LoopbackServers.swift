// LoopbackServers module.
