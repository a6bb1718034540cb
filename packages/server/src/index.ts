export { apiSchemas } from "./api-schemas.js";
export { openApiDocument, operations } from "./openapi.js";
export { type RunningServer, type ServeOptions, startServer } from "./server.js";
export { type TimelineEntry, timelineEntry } from "./timeline.js";
