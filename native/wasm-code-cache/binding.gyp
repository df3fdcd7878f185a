{
  "targets": [
    {
      "target_name": "wasm_code_cache",
      "sources": ["src/wasm_code_cache.cc"],
      "cflags_cc": ["-O2", "-Wno-cast-function-type"]
    }
  ]
}
