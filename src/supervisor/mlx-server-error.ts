// The managed MLX server's failures, one line each for the user. Apart from mlx-server.ts so the
// command layer can recognise them without loading the supervisor (and its embedded files) in
// every process: `serve` in any other mode never starts one.
export class MlxServerError extends Error {}
