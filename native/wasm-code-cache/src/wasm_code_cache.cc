// wpm's bridge to V8's cache of compiled WebAssembly code. V8 can turn serialized native code
// back into a module only through its streaming-compilation API (WasmStreaming with
// SetCompiledModuleBytes); Node registers its own streaming callback, which understands fetch()
// Responses only. This addon replaces it, in the isolate that calls install(), with one that takes
// { wire, code } (the module's bytes and, optionally, code serialized earlier by serialize()) and
// hands both to V8. V8 checks the code's header (V8 version, CPU features, flag hash) and falls
// back to compiling the wire bytes when the code does not fit; the caller checks the rest (see
// runtime/wasi/code-cache/).
//
// Written against the V8 API of Node 20, 22 and 24 (V8 11.3, 12.4, 13.6), where these calls are
// the same.

#include <node.h>
#include <v8.h>

#include <cstring>
#include <memory>

namespace {

using v8::ArrayBuffer;
using v8::ArrayBufferView;
using v8::BackingStore;
using v8::Boolean;
using v8::Context;
using v8::Exception;
using v8::FunctionCallbackInfo;
using v8::Isolate;
using v8::Local;
using v8::Object;
using v8::String;
using v8::Value;
using v8::WasmModuleObject;
using v8::WasmStreaming;

struct Bytes {
  const uint8_t* data = nullptr;
  size_t size = 0;
  // Keeps the memory alive while V8 reads it (Finish() below runs synchronously, but the
  // request object could be changed by a getter in between).
  std::shared_ptr<BackingStore> owner;
};

bool ViewBytes(Local<Value> value, Bytes* out) {
  if (!value->IsArrayBufferView()) return false;
  Local<ArrayBufferView> view = value.As<ArrayBufferView>();
  out->owner = view->Buffer()->GetBackingStore();
  out->data = static_cast<const uint8_t*>(out->owner->Data()) + view->ByteOffset();
  out->size = view->ByteLength();
  return true;
}

Local<String> Str(Isolate* isolate, const char* s) {
  return String::NewFromUtf8(isolate, s).ToLocalChecked();
}

// WebAssembly.compileStreaming(request) lands here, as a promise reaction, with the resolved
// request. Every path ends in Finish() or Abort(), as V8 requires.
void OnStreaming(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  v8::HandleScope scope(isolate);
  Local<Context> context = isolate->GetCurrentContext();
  std::shared_ptr<WasmStreaming> streaming = WasmStreaming::Unpack(isolate, info.Data());

  Bytes wire;
  Local<Value> wireValue;
  Local<Object> request;
  if (!info[0]->IsObject() || !(request = info[0].As<Object>())->Get(context, Str(isolate, "wire")).ToLocal(&wireValue) ||
      !ViewBytes(wireValue, &wire)) {
    streaming->Abort(Exception::TypeError(Str(isolate,
        "WebAssembly.compileStreaming is wpm's compiled-code cache in this thread: it takes { wire, code }")));
    return;
  }

  Bytes code;
  Local<Value> codeValue;
  bool offered = request->Get(context, Str(isolate, "code")).ToLocal(&codeValue) && ViewBytes(codeValue, &code);
  // false when V8 rejects the header: another V8, other CPU features or other flags. The wire
  // bytes are then compiled as usual.
  bool accepted = offered && streaming->SetCompiledModuleBytes(code.data, code.size);
  if (request->Set(context, Str(isolate, "accepted"), Boolean::New(isolate, accepted)).IsNothing()) {
    streaming->Abort(v8::MaybeLocal<Value>());
    return;
  }
  streaming->OnBytesReceived(wire.data, wire.size);
  // With code accepted, Finish() deserializes it now; if that fails it compiles the wire bytes.
  streaming->Finish();
}

void Install(const FunctionCallbackInfo<Value>& info) {
  info.GetIsolate()->SetWasmStreamingCallback(OnStreaming);
}

// The module's native code as V8 serializes it (TurboFan code only; functions without it are
// recorded as to be compiled when called), or undefined when V8 gives nothing.
void Serialize(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  if (!info[0]->IsWasmModuleObject()) {
    isolate->ThrowException(Exception::TypeError(Str(isolate, "serialize() takes a WebAssembly.Module")));
    return;
  }
  v8::OwnedBuffer out = info[0].As<WasmModuleObject>()->GetCompiledModule().Serialize();
  if (out.size == 0) return;
  uint8_t* data = const_cast<uint8_t*>(out.buffer.release());
  std::unique_ptr<BackingStore> store = ArrayBuffer::NewBackingStore(
      data, out.size, [](void* p, size_t, void*) { delete[] static_cast<uint8_t*>(p); }, nullptr);
  info.GetReturnValue().Set(ArrayBuffer::New(isolate, std::move(store)));
}

// A 64-bit checksum of a cache entry, so that a corrupt or truncated file is a miss and never
// code handed to V8 (which trusts what it deserializes). It is not meant to resist forgery: the
// cache lives in the user's own WPM_HOME, like the store. Four independent multiply-rotate lanes
// keep it near memory speed (zlib's crc32 took 0.1-0.2 s on a 200 MB entry, in every process).
constexpr uint64_t kMul1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kMul2 = 0xC2B2AE3D27D4EB4FULL;

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t Mix(uint64_t acc, uint64_t word) { return Rotl(acc + word * kMul2, 31) * kMul1; }

uint64_t Checksum(const uint8_t* p, size_t n) {
  uint64_t lane[4] = {kMul1 + kMul2, kMul2, 0, 0 - kMul1};
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 4; k++) {
      uint64_t w;
      std::memcpy(&w, p + i + 8 * k, 8);
      lane[k] = Mix(lane[k], w);
    }
  }
  uint64_t h = Rotl(lane[0], 1) + Rotl(lane[1], 7) + Rotl(lane[2], 12) + Rotl(lane[3], 18) + n;
  for (; i < n; i++) h = Rotl(h ^ (p[i] * kMul1), 11) * kMul2;
  // Final avalanche (MurmurHash3's fmix64), so that every input bit reaches every output bit.
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return h;
}

void ChecksumHex(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  Bytes bytes;
  if (!ViewBytes(info[0], &bytes)) {
    isolate->ThrowException(Exception::TypeError(Str(isolate, "checksum() takes a Uint8Array")));
    return;
  }
  uint64_t h = Checksum(bytes.data, bytes.size);
  char hex[17];
  for (int i = 15; i >= 0; i--, h >>= 4) hex[i] = "0123456789abcdef"[h & 15];
  hex[16] = 0;
  info.GetReturnValue().Set(Str(isolate, hex));
}

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  Isolate* isolate = context->GetIsolate();
  exports->Set(context, Str(isolate, "install"), v8::FunctionTemplate::New(isolate, Install)->GetFunction(context).ToLocalChecked()).Check();
  exports->Set(context, Str(isolate, "serialize"), v8::FunctionTemplate::New(isolate, Serialize)->GetFunction(context).ToLocalChecked()).Check();
  exports->Set(context, Str(isolate, "checksum"), v8::FunctionTemplate::New(isolate, ChecksumHex)->GetFunction(context).ToLocalChecked()).Check();
}
