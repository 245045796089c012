// Ink imports react-devtools-core only when DEV=true; bundled benchmarks never connect devtools.
export default { initialize() {}, connectToDevTools() {} };
