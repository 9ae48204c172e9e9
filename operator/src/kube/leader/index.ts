export { LeaseElector, defaultIdentity, type LeaseElectorOptions } from "./lease-elector.js";
