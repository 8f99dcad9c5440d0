/** A run host that dies on its first request, like an engine hitting a native abort. */
process.on('message', () => {
  process.stderr.write('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n');
  process.exit(3);
});
