/** Registers every built-in store flavor (no driver or SDK is loaded until a flavor is used). @module */
import "./artifact/flavors.js";
import "./metadata/flavors.js";
