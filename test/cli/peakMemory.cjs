// Preloaded into a msgrfw child (`node --require`): at exit, writes the process's peak resident
// memory in KiB (getrusage's ru_maxrss) to the file MSGRFW_PEAK_MEMORY_FILE names.
process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.MSGRFW_PEAK_MEMORY_FILE, String(process.resourceUsage().maxRSS));
});
