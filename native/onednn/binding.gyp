{
  "targets": [
    {
      "target_name": "lab_onednn",
      "sources": ["src/addon.cc", "src/conv.cc", "src/batch_norm.cc", "src/matmul.cc", "src/engine.cc"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldnnl"]
    }
  ]
}
