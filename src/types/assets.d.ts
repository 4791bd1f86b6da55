// Files imported `with { type: "file" }` resolve to a path (on disk, or inside the compiled binary).
declare module "*.py" {
  const path: string;
  export default path;
}
declare module "*.txt" {
  const path: string;
  export default path;
}
