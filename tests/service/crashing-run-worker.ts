/** A run host that dies on its first request, like an engine hitting a native abort. */
process.on('message', () => {
  process.exit(3);
});
