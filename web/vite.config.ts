import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The build goes to web/dist, which `actor-trainer serve` delivers (its --ui-dir default).
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
});
