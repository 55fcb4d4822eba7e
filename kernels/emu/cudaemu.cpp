// cudaemu implementation: fiber scheduler (x86-64 assembly context switch, ucontext elsewhere), strict
// barrier and warp-collective semantics, sanitizer annotations, and the emulated CUDA runtime API subset.
#include "cudaemu.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <exception>
#include <map>
#include <mutex>
#include <new>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__) && !defined(CUDAEMU_FORCE_UCONTEXT)
#define CUDAEMU_ASM_SWITCH 1
#else
#define CUDAEMU_ASM_SWITCH 0
#include <ucontext.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define CUDAEMU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CUDAEMU_ASAN 1
#endif
#endif
// Under TSan this file is compiled uninstrumented with -DCUDAEMU_TSAN=1 (tests/emu/tests.cmake): the
// scheduler's own bookkeeping would otherwise be reported as races between fibers.
#if defined(CUDAEMU_TSAN)
#elif defined(__SANITIZE_THREAD__)
#define CUDAEMU_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CUDAEMU_TSAN 1
#endif
#endif

#if defined(CUDAEMU_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(CUDAEMU_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

#if CUDAEMU_ASM_SWITCH
// cudaemu_ctx_switch(save, next): saves the callee-saved registers, MXCSR and the x87 control word on the
// current stack, stores the stack pointer in *save and resumes the context whose stack pointer is next. A new
// context is a stack laid out as if it had been switched away from, returning into cudaemu_fiber_start with
// r12 = argument and r13 = entry function.
extern "C" void cudaemu_ctx_switch(void** save, void* next);
extern "C" void cudaemu_fiber_start();
__asm__(
    ".text\n"
    ".globl cudaemu_ctx_switch\n"
    ".hidden cudaemu_ctx_switch\n"
    ".type cudaemu_ctx_switch,@function\n"
    "cudaemu_ctx_switch:\n"
    "  pushq %rbp\n"
    "  pushq %rbx\n"
    "  pushq %r12\n"
    "  pushq %r13\n"
    "  pushq %r14\n"
    "  pushq %r15\n"
    "  subq $16, %rsp\n"
    "  stmxcsr 8(%rsp)\n"
    "  fnstcw (%rsp)\n"
    "  movq %rsp, (%rdi)\n"
    "  movq %rsi, %rsp\n"
    "  ldmxcsr 8(%rsp)\n"
    "  fldcw (%rsp)\n"
    "  addq $16, %rsp\n"
    "  popq %r15\n"
    "  popq %r14\n"
    "  popq %r13\n"
    "  popq %r12\n"
    "  popq %rbx\n"
    "  popq %rbp\n"
    "  ret\n"
    ".size cudaemu_ctx_switch, .-cudaemu_ctx_switch\n"
    ".globl cudaemu_fiber_start\n"
    ".hidden cudaemu_fiber_start\n"
    ".type cudaemu_fiber_start,@function\n"
    "cudaemu_fiber_start:\n"
    "  movq %r12, %rdi\n"
    "  callq *%r13\n"
    "  ud2\n"
    ".size cudaemu_fiber_start, .-cudaemu_fiber_start\n");
#endif

namespace cudaemu {
namespace {

std::mutex g_mu;  // guards the tables below and g_last_stats
Options g_options;
Stats g_last_stats;
std::map<const void*, size_t> g_device_allocs;
std::map<const void*, size_t> g_host_allocs;
std::map<const void*, int> g_func_max_dyn_smem;
thread_local cudaError_t t_last_error = cudaSuccess;

cudaError_t set_error(cudaError_t e) {
  if (e != cudaSuccess) t_last_error = e;
  return e;
}

// ---- fiber stacks
// ---------------------------------------------------------------------------------------------
struct Stack {
  char* base = nullptr;  // lowest usable byte (a PROT_NONE guard page sits below)
  size_t size = 0;
  void* tsan_fiber = nullptr;
};
std::mutex g_stack_mu;
std::vector<Stack> g_stack_pool;

Stack take_stack(size_t size) {
  {
    std::lock_guard<std::mutex> lock(g_stack_mu);
    for (size_t i = g_stack_pool.size(); i-- > 0;) {
      if (g_stack_pool[i].size == size) {
        Stack s = g_stack_pool[i];
        g_stack_pool.erase(g_stack_pool.begin() + static_cast<long>(i));
        return s;
      }
    }
  }
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void* m =
      mmap(nullptr, size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) throw std::bad_alloc();
  mprotect(m, page, PROT_NONE);
  Stack s;
  s.base = static_cast<char*>(m) + page;
  s.size = size;
#if defined(CUDAEMU_TSAN)
  s.tsan_fiber = __tsan_create_fiber(0);
#endif
  return s;
}
void return_stacks(std::vector<Stack>& stacks) {
  std::lock_guard<std::mutex> lock(g_stack_mu);
  for (auto& s : stacks) g_stack_pool.push_back(s);
  stacks.clear();
}

// ---- per-block execution state
// ----------------------------------------------------------------------------------
enum class FiberState { Ready, AtBarrier, AtWarp, Done };

struct Fiber {
  void* sp = nullptr;
#if !CUDAEMU_ASM_SWITCH
  ucontext_t uc;
#endif
  uint3 tid{};
  int lin = 0;
  FiberState state = FiberState::Ready;
  bool started = false;
  const char* file = "";
  int line = 0;
  int bar_kind = 0, pred = 0, result = 0;
  int wkind = 0, warg = 0, wwidth = 32;
  unsigned mask = 0;
  uint64_t wval = 0, wresult = 0;
};

struct Worker {
  std::vector<Fiber> fibers;
  std::vector<Stack> stacks;
  void* sched_sp = nullptr;
#if !CUDAEMU_ASM_SWITCH
  ucontext_t sched_uc;
#endif
  Fiber* current = nullptr;
  const std::function<void()>* body = nullptr;
  std::exception_ptr fiber_error;
  unsigned char* dyn_smem = nullptr;
  size_t dyn_smem_size = 0;
  Stats stats;
  int phase = 0;  // barrier generation, selects the TSan token
#if defined(CUDAEMU_ASAN)
  const void* sched_stack_bottom = nullptr;
  size_t sched_stack_size = 0;
#endif
#if defined(CUDAEMU_TSAN)
  void* sched_tsan_fiber = nullptr;
  char tokens[4] = {};  // addresses used as happens-before tokens: block start, block end, barrier phases 0/1
  std::vector<char> warp_tokens;
#endif
};
thread_local Worker* t_worker = nullptr;

std::string coords(const uint3& v) {
  std::ostringstream os;
  os << "(" << v.x << "," << v.y << "," << v.z << ")";
  return os.str();
}

// Fiber → scheduler. The fiber's stack is announced to ASan as the one being left.
void switch_to_scheduler(Worker& w, Fiber& f, bool exiting) {
  w.stats.switches++;
#if defined(CUDAEMU_TSAN)
  __tsan_switch_to_fiber(w.sched_tsan_fiber, __tsan_switch_to_fiber_no_sync);
#endif
#if defined(CUDAEMU_ASAN)
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(exiting ? nullptr : &fake, w.sched_stack_bottom, w.sched_stack_size);
#else
  (void)exiting;
#endif
#if CUDAEMU_ASM_SWITCH
  cudaemu_ctx_switch(&f.sp, w.sched_sp);
#else
  swapcontext(&f.uc, &w.sched_uc);
#endif
#if defined(CUDAEMU_ASAN)
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
  // Resumed: the scheduler has set the built-in variables for this fiber already.
}

void publish_builtins(const Fiber& f) {
  detail::t_threadIdx = f.tid;
}

void fiber_main(void* arg) {
  Worker& w = *static_cast<Worker*>(arg);
#if defined(CUDAEMU_ASAN)
  __sanitizer_finish_switch_fiber(nullptr, &w.sched_stack_bottom, &w.sched_stack_size);
#endif
  Fiber& f = *w.current;
#if defined(CUDAEMU_TSAN)
  __tsan_acquire(&w.tokens[0]);
#endif
  try {
    (*w.body)();
  } catch (...) {
    if (!w.fiber_error) w.fiber_error = std::current_exception();
  }
  f.state = FiberState::Done;
#if defined(CUDAEMU_TSAN)
  __tsan_release(&w.tokens[1]);
#endif
  switch_to_scheduler(w, f, /*exiting=*/true);
  std::abort();  // a finished fiber is never resumed
}

#if !CUDAEMU_ASM_SWITCH
void fiber_main_uc(unsigned lo, unsigned hi) {
  fiber_main(reinterpret_cast<void*>((static_cast<uintptr_t>(hi) << 32) | lo));
}
#endif

void init_fiber(Worker& w, Fiber& f, Stack& st) {
#if defined(CUDAEMU_ASAN)
  // Frames abandoned by the previous user of this stack leave redzones behind.
  __asan_unpoison_memory_region(st.base, st.size);
#endif
#if CUDAEMU_ASM_SWITCH
  uintptr_t top = (reinterpret_cast<uintptr_t>(st.base) + st.size) & ~uintptr_t(15);
  // 9 words: fpu cw, mxcsr, r15, r14, r13, r12, rbx, rbp, return address; 8 mod 16 so that the call in
  // cudaemu_fiber_start is made with a 16-byte aligned stack.
  uint64_t* sp = reinterpret_cast<uint64_t*>(top - 88);
  uint16_t cw;
  uint32_t mxcsr;
  __asm__ volatile("fnstcw %0" : "=m"(cw));
  __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
  sp[0] = cw;
  sp[1] = mxcsr;
  sp[2] = 0;                                                 // r15
  sp[3] = 0;                                                 // r14
  sp[4] = reinterpret_cast<uint64_t>(&fiber_main);           // r13
  sp[5] = reinterpret_cast<uint64_t>(&w);                    // r12
  sp[6] = 0;                                                 // rbx
  sp[7] = 0;                                                 // rbp
  sp[8] = reinterpret_cast<uint64_t>(&cudaemu_fiber_start);  // return address
  f.sp = sp;
#else
  getcontext(&f.uc);
  f.uc.uc_stack.ss_sp = st.base;
  f.uc.uc_stack.ss_size = st.size;
  f.uc.uc_link = nullptr;
  uintptr_t a = reinterpret_cast<uintptr_t>(&w);
  makecontext(&f.uc, reinterpret_cast<void (*)()>(&fiber_main_uc), 2, static_cast<unsigned>(a),
              static_cast<unsigned>(a >> 32));
#endif
}

void resume(Worker& w, Fiber& f, Stack& st) {
  w.current = &f;
  publish_builtins(f);
  w.stats.switches++;
#if defined(CUDAEMU_TSAN)
  __tsan_switch_to_fiber(st.tsan_fiber, __tsan_switch_to_fiber_no_sync);
#endif
#if defined(CUDAEMU_ASAN)
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(&fake, st.base, st.size);
#else
  (void)st;
#endif
#if CUDAEMU_ASM_SWITCH
  cudaemu_ctx_switch(&w.sched_sp, f.sp);
#else
  swapcontext(&w.sched_uc, &f.uc);
#endif
#if defined(CUDAEMU_ASAN)
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
  w.current = nullptr;
}

std::string describe(const Fiber& f) {
  std::ostringstream os;
  os << "thread " << coords(f.tid);
  switch (f.state) {
    case FiberState::AtBarrier:
      os << " waits at __syncthreads " << f.file << ":" << f.line;
      break;
    case FiberState::AtWarp:
      os << " waits at a warp collective " << f.file << ":" << f.line;
      break;
    case FiberState::Done:
      os << " has exited";
      break;
    case FiberState::Ready:
      os << " is ready";
      break;
  }
  return os.str();
}

[[noreturn]] void fail(const std::string& what, const uint3& block) {
  throw KernelError("cudaemu: block " + coords(block) + ": " + what);
}

// Releases every warp group whose named live lanes have all arrived; returns how many were released.
int release_warps(Worker& w, const uint3& block, bool strict) {
  const int n = static_cast<int>(w.fibers.size());
  int released = 0;
  for (int base = 0; base < n; base += 32) {
    const int lanes = std::min(32, n - base);
    unsigned live = 0, parked = 0;
    for (int l = 0; l < lanes; ++l) {
      const Fiber& f = w.fibers[static_cast<size_t>(base + l)];
      if (f.state != FiberState::Done) live |= 1u << l;
      if (f.state == FiberState::AtWarp) parked |= 1u << l;
    }
    unsigned pending = parked;
    while (pending) {
      const int l0 = __builtin_ctz(pending);
      Fiber& lead = w.fibers[static_cast<size_t>(base + l0)];
      const unsigned mask = lead.mask;
      if (!(mask & (1u << l0))) fail(describe(lead) + " with a mask that does not name its own lane", block);
      const unsigned need = mask & live;
      if ((need & parked) != need) {
        pending &= ~need;
        pending &= ~(1u << l0);
        continue;  // someone named in the mask has not arrived yet
      }
      for (unsigned m = need; m; m &= m - 1) {
        const Fiber& o = w.fibers[static_cast<size_t>(base + __builtin_ctz(m))];
        if (strict && (o.mask != mask || o.wkind != lead.wkind))
          fail("warp collective mismatch: " + describe(lead) + " (mask " + std::to_string(mask) + ") vs " +
                   describe(o) + " (mask " + std::to_string(o.mask) + ")",
               block);
      }
      unsigned ballot = 0;
      for (unsigned m = need; m; m &= m - 1) {
        const int l = __builtin_ctz(m);
        if (w.fibers[static_cast<size_t>(base + l)].wval) ballot |= 1u << l;
      }
      for (unsigned m = need; m; m &= m - 1) {
        const int l = __builtin_ctz(m);
        Fiber& f = w.fibers[static_cast<size_t>(base + l)];
        const int width = f.wwidth;
        const int seg = l & ~(width - 1);
        int src = l;
        switch (f.wkind) {
          case detail::kShflIdx:
            src = seg + (f.warg & (width - 1));
            break;
          case detail::kShflUp:
            src = (l - seg) >= f.warg ? l - f.warg : l;
            break;
          case detail::kShflDown:
            src = (l - seg) + f.warg < width ? l + f.warg : l;
            break;
          case detail::kShflXor:
            src = l ^ f.warg;
            if (src < seg || src >= seg + width) src = l;
            break;
          default:
            break;
        }
        switch (f.wkind) {
          case detail::kBallot:
            f.wresult = ballot;
            break;
          case detail::kAny:
            f.wresult = ballot != 0;
            break;
          case detail::kAll:
            f.wresult = ballot == need;
            break;
          case detail::kSyncWarp:
            f.wresult = 0;
            break;
          default:
            if (src < lanes && (need & (1u << src))) {
              f.wresult = w.fibers[static_cast<size_t>(base + src)].wval;
            } else {
              f.wresult = ~uint64_t(0);  // undefined on hardware: poison it and count it
              w.stats.undefined_shfl_reads++;
            }
        }
      }
      for (unsigned m = need; m; m &= m - 1)
        w.fibers[static_cast<size_t>(base + __builtin_ctz(m))].state = FiberState::Ready;
      w.stats.warp_ops++;
      parked &= ~need;
      pending &= ~need;
      released++;
    }
  }
  return released;
}

bool release_barrier(Worker& w, const uint3& block, bool strict) {
  const Fiber* first = nullptr;
  const Fiber* exited = nullptr;
  int count = 0, waiting = 0;
  for (const Fiber& f : w.fibers) {
    if (f.state == FiberState::Done) {
      if (!exited) exited = &f;
      continue;
    }
    if (f.state != FiberState::AtBarrier) return false;
    if (!first) {
      first = &f;
    } else if (strict && (f.line != first->line || std::strcmp(f.file, first->file) != 0 ||
                          f.bar_kind != first->bar_kind)) {
      fail("__syncthreads reached at different places: " + describe(*first) + " vs " + describe(f), block);
    }
    waiting++;
    count += f.pred != 0;
  }
  if (!first) return false;
  if (strict && exited)
    fail("divergent __syncthreads: " + describe(*exited) + " while " + describe(*first), block);
  int result = 0;
  switch (first->bar_kind) {
    case detail::kSyncCount:
      result = count;
      break;
    case detail::kSyncAnd:
      result = count == waiting;
      break;
    case detail::kSyncOr:
      result = count != 0;
      break;
    default:
      break;
  }
  for (Fiber& f : w.fibers) {
    if (f.state == FiberState::AtBarrier) {
      f.state = FiberState::Ready;
      f.result = result;
    }
  }
  w.stats.barriers++;
  w.phase ^= 1;
  return true;
}

void run_block(Worker& w, const detail::LaunchConfig& cfg, size_t block_lin, const Options& opt) {
  const uint3 block{static_cast<unsigned>(block_lin % cfg.grid.x),
                    static_cast<unsigned>((block_lin / cfg.grid.x) % cfg.grid.y),
                    static_cast<unsigned>(block_lin / (size_t(cfg.grid.x) * cfg.grid.y))};
  detail::t_blockIdx = block;
  const size_t n = w.fibers.size();
  for (size_t i = 0; i < n; ++i) {
    Fiber& f = w.fibers[i];
    f = Fiber();
    f.lin = static_cast<int>(i);
    f.tid =
        uint3{static_cast<unsigned>(i % cfg.block.x), static_cast<unsigned>((i / cfg.block.x) % cfg.block.y),
              static_cast<unsigned>(i / (size_t(cfg.block.x) * cfg.block.y))};
    init_fiber(w, f, w.stacks[i]);
  }
  if (w.dyn_smem && opt.poison_dynamic_smem) std::memset(w.dyn_smem, 0xFF, w.dyn_smem_size);
#if defined(CUDAEMU_TSAN)
  // One token per warp, sized before any fiber runs: growing the vector inside a warp collective would move
  // the tokens other warps' lanes have released on (and TSan would rightly see the move race with them).
  if (w.warp_tokens.size() < (n + 31) / 32) w.warp_tokens.resize((n + 31) / 32);
  __tsan_release(&w.tokens[0]);
#endif
  std::mt19937 rng(opt.seed * 2654435761u + static_cast<unsigned>(block_lin));
  std::vector<size_t> order;
  order.reserve(n);
  for (;;) {
    order.clear();
    for (size_t i = 0; i < n; ++i)
      if (w.fibers[i].state == FiberState::Ready) order.push_back(i);
    if (!order.empty()) {
      if (opt.order == Order::Reverse) std::reverse(order.begin(), order.end());
      if (opt.order == Order::Random) std::shuffle(order.begin(), order.end(), rng);
      for (size_t i : order) {
        Fiber& f = w.fibers[i];
        if (f.state != FiberState::Ready) continue;
        resume(w, f, w.stacks[i]);
        if (w.fiber_error) std::rethrow_exception(w.fiber_error);
      }
      continue;
    }
    bool all_done = true;
    for (const Fiber& f : w.fibers) all_done &= f.state == FiberState::Done;
    if (all_done) break;
    if (release_warps(w, block, opt.strict) > 0) continue;
    if (release_barrier(w, block, opt.strict)) continue;
    std::string msg = "deadlock:";
    int shown = 0;
    for (const Fiber& f : w.fibers) {
      if (f.state == FiberState::Done) continue;
      if (shown++ == 4) {
        msg += " ...";
        break;
      }
      msg += " " + describe(f) + ";";
    }
    fail(msg, block);
  }
#if defined(CUDAEMU_TSAN)
  __tsan_acquire(&w.tokens[1]);
#endif
  w.stats.blocks++;
  w.stats.threads += n;
}

// A queued operation of a deferred stream; it may first wait for stream `wait_stream` (an EmuStream::id, 0:
// none) to have run `wait_pos` operations (cudaStreamWaitEvent).
struct Task {
  std::function<void()> op;
  uint64_t wait_stream = 0;
  uint64_t wait_pos = 0;
};
// Captured work per stream (graphs replay it), and with deferred Options::streams the queue of work not yet
// run: operation k (1-based) of the stream has run once done >= k.
struct EmuStream {
  uint64_t id = 0;  // never reused, unlike the address
  bool capturing = false;
  std::vector<std::function<void()>> captured;
  std::deque<Task> queue;
  uint64_t enqueued = 0, done = 0;
};
struct EmuGraph {
  std::vector<std::function<void()>> ops;
};
std::atomic<int> g_capturing_streams{0};

EmuStream* stream_of(cudaStream_t s) {
  return reinterpret_cast<EmuStream*>(s);
}

// Deferred streams (Options::streams): the host thread that waits runs the queued work itself.
bool deferring() {
  return g_options.streams != Options::Streams::kImmediate;
}
std::recursive_mutex g_stream_mu;   // guards the queues below and every EmuStream's queue
std::vector<EmuStream*> g_streams;  // created and not destroyed, in creation order
uint64_t g_next_stream_id = 1;

// Whether stream `id` has run `pos` operations; a destroyed stream has run all of its.
bool reached(uint64_t id, uint64_t pos) {
  for (const EmuStream* s : g_streams)
    if (s->id == id) return s->done >= pos;
  return true;
}
bool stream_alive(const EmuStream* s) {
  return std::find(g_streams.begin(), g_streams.end(), s) != g_streams.end();
}
bool runnable(const EmuStream* s) {
  return !s->queue.empty() && reached(s->queue.front().wait_stream, s->queue.front().wait_pos);
}
// Runs queued operations until done() holds, one at a time: under kDeferOthersFirst from any runnable stream
// other than `awaited` while there is one, under kDeferAwaitedFirst from `awaited` while it can run. A queue
// that can never run (a wait on work that is never issued) is a deadlock: reported as cudaErrorLaunchFailure.
cudaError_t run_streams_until(const EmuStream* awaited, const std::function<bool()>& done) {
  std::lock_guard<std::recursive_mutex> lock(g_stream_mu);
  while (!done()) {
    EmuStream* pick = nullptr;
    const bool awaited_ready = awaited && stream_alive(awaited) && runnable(awaited);
    if (awaited_ready && g_options.streams == Options::Streams::kDeferAwaitedFirst)
      pick = const_cast<EmuStream*>(awaited);
    for (EmuStream* s : g_streams)
      if (!pick && s != awaited && runnable(s)) pick = s;
    if (!pick && awaited_ready) pick = const_cast<EmuStream*>(awaited);
    if (!pick) return t_last_error = cudaErrorLaunchFailure;
    Task t = std::move(pick->queue.front());
    pick->queue.pop_front();
    pick->done++;
    if (t.op) t.op();
  }
  return cudaSuccess;
}
cudaError_t run_all_streams() {
  return run_streams_until(nullptr, [] {
    for (EmuStream* s : g_streams)
      if (!s->queue.empty()) return false;
    return true;
  });
}
cudaError_t run_stream(EmuStream* s) {
  return run_streams_until(s, [s] { return s->queue.empty(); });
}
// Queues `t` on a created stream when streams are deferred (returns true), else leaves it to the caller.
bool defer(cudaStream_t s, Task t) {
  if (!deferring() || !s) return false;
  std::lock_guard<std::recursive_mutex> lock(g_stream_mu);
  EmuStream* es = stream_of(s);
  es->queue.push_back(std::move(t));
  es->enqueued++;
  return true;
}

unsigned resolve_workers(const Options& opt) {
  if (opt.workers) return opt.workers;
  if (const char* e = std::getenv("CUDAEMU_WORKERS")) {
    int v = std::atoi(e);
    if (v > 0) return static_cast<unsigned>(v);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

void run_grid(const detail::LaunchConfig& cfg, const std::function<void()>& body) {
  const Options opt = g_options;
  const size_t nblocks = size_t(cfg.grid.x) * cfg.grid.y * cfg.grid.z;
  const size_t nthreads = size_t(cfg.block.x) * cfg.block.y * cfg.block.z;
  const unsigned nworkers = static_cast<unsigned>(std::min<size_t>(resolve_workers(opt), nblocks));
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex err_mu;
  std::exception_ptr err;
  Stats total;
  auto work = [&]() {
    Worker w;
    Worker* saved = t_worker;
    t_worker = &w;
    const uint3 saved_bdim = detail::t_blockDim, saved_gdim = detail::t_gridDim;
    detail::t_blockDim = uint3{cfg.block.x, cfg.block.y, cfg.block.z};
    detail::t_gridDim = uint3{cfg.grid.x, cfg.grid.y, cfg.grid.z};
    w.body = &body;
    try {
      w.fibers.resize(nthreads);
      for (size_t i = 0; i < nthreads; ++i) w.stacks.push_back(take_stack(opt.stack_size));
      if (cfg.smem) {
        w.dyn_smem = static_cast<unsigned char*>(::operator new(cfg.smem, std::align_val_t(16)));
        w.dyn_smem_size = cfg.smem;
      }
#if defined(CUDAEMU_TSAN)
      w.sched_tsan_fiber = __tsan_get_current_fiber();
#endif
      for (;;) {
        if (failed.load()) break;
        const size_t b = next.fetch_add(1);
        if (b >= nblocks) break;
        run_block(w, cfg, b, opt);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(err_mu);
      if (!err) err = std::current_exception();
      failed = true;
    }
    if (w.dyn_smem) ::operator delete(w.dyn_smem, std::align_val_t(16));
    return_stacks(w.stacks);
    {
      std::lock_guard<std::mutex> lock(err_mu);
      total.blocks += w.stats.blocks;
      total.threads += w.stats.threads;
      total.switches += w.stats.switches;
      total.barriers += w.stats.barriers;
      total.warp_ops += w.stats.warp_ops;
      total.undefined_shfl_reads += w.stats.undefined_shfl_reads;
    }
    detail::t_blockDim = saved_bdim;
    detail::t_gridDim = saved_gdim;
    t_worker = saved;
  };
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < nworkers; ++i) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  {
    std::lock_guard<std::mutex> lock(g_mu);
    g_last_stats = total;
  }
  if (err) {
    t_last_error = cudaErrorLaunchFailure;
    std::rethrow_exception(err);
  }
}

}  // namespace

Options& options() {
  return g_options;
}
Stats last_stats() {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_last_stats;
}
size_t live_allocations() {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_device_allocs.size() + g_host_allocs.size();
}

namespace detail {

int block_barrier(int kind, int pred, const char* file, int line) {
  Worker* w = t_worker;
  if (!w || !w->current) throw KernelError("cudaemu: __syncthreads called outside a kernel");
  Fiber& f = *w->current;
  f.state = FiberState::AtBarrier;
  f.bar_kind = kind;
  f.pred = pred;
  f.file = file;
  f.line = line;
#if defined(CUDAEMU_TSAN)
  char* token = &w->tokens[2 + w->phase];
  __tsan_release(token);
#endif
  switch_to_scheduler(*w, f, false);
#if defined(CUDAEMU_TSAN)
  __tsan_acquire(token);
#endif
  return f.result;
}

uint64_t warp_collective(int kind, unsigned mask, uint64_t bits, int arg, int width, const char* file,
                         int line) {
  Worker* w = t_worker;
  if (!w || !w->current) throw KernelError("cudaemu: warp collective called outside a kernel");
  if (width <= 0 || width > 32 || (width & (width - 1)))
    throw KernelError(std::string("cudaemu: warp collective width must be a power of two <= 32 at ") + file +
                      ":" + std::to_string(line));
  Fiber& f = *w->current;
  f.state = FiberState::AtWarp;
  f.wkind = kind;
  f.mask = mask;
  f.wval = bits;
  f.warg = arg;
  f.wwidth = width;
  f.file = file;
  f.line = line;
#if defined(CUDAEMU_TSAN)
  // Per-warp token: lanes released together acquire what every lane released before parking.
  const size_t warp = static_cast<size_t>(f.lin / 32);  // < warp_tokens.size(): sized per block (run_block)
  __tsan_release(&w->warp_tokens[warp]);
#endif
  switch_to_scheduler(*w, f, false);
#if defined(CUDAEMU_TSAN)
  __tsan_acquire(&w->warp_tokens[warp]);
#endif
  return f.wresult;
}

void* dynamic_smem() {
  Worker* w = t_worker;
  return w ? w->dyn_smem : nullptr;
}

void launch(const LaunchConfig& cfg, std::function<void()> body) {
  const dim3 b = cfg.block, g = cfg.grid;
  const unsigned long long threads = 1ull * b.x * b.y * b.z;
  int max_dyn = 48 << 10;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = g_func_max_dyn_smem.find(cfg.kernel);
    if (it != g_func_max_dyn_smem.end()) max_dyn = it->second;
  }
  if (threads == 0 || threads > 1024 || b.x > 1024 || b.y > 1024 || b.z > 64 || g.x == 0 || g.y == 0 ||
      g.z == 0 || g.x > 2147483647u || g.y > 65535 || g.z > 65535 ||
      cfg.smem > static_cast<size_t>(max_dyn)) {
    set_error(cudaErrorInvalidConfiguration);
    return;
  }
  if (EmuStream* s = stream_of(cfg.stream); s && s->capturing) {
    s->captured.push_back([cfg, body]() { run_grid(cfg, body); });
    return;
  }
  if (cfg.stream == nullptr && g_capturing_streams.load() > 0) {
    set_error(cudaErrorStreamCaptureImplicit);
    return;
  }
  if (defer(cfg.stream, Task{[cfg, body]() { run_grid(cfg, body); }})) return;
  if (deferring() && run_all_streams() != cudaSuccess) return;  // the legacy stream
  run_grid(cfg, body);
}

}  // namespace detail
}  // namespace cudaemu

unsigned __activemask() {
  using namespace cudaemu;
  Worker* w = t_worker;
  if (!w || !w->current) return 0;
  const int base = w->current->lin & ~31;
  const int n = static_cast<int>(w->fibers.size());
  unsigned m = 0;
  for (int l = 0; l < 32 && base + l < n; ++l)
    if (w->fibers[static_cast<size_t>(base + l)].state != FiberState::Done) m |= 1u << l;
  return m;
}

// ---- runtime API
// ------------------------------------------------------------------------------------------------
using cudaemu::set_error;

namespace {
bool capturing(cudaStream_t s) {
  auto* es = cudaemu::stream_of(s);
  return es && es->capturing;
}
// Async operations on a capturing stream are recorded for graph replay; everything else runs now.
cudaError_t run_or_capture(cudaStream_t s, std::function<void()> op) {
  if (capturing(s)) {
    cudaemu::stream_of(s)->captured.push_back(std::move(op));
    return cudaSuccess;
  }
  if (s == nullptr && cudaemu::g_capturing_streams.load() > 0)
    return set_error(cudaErrorStreamCaptureImplicit);
  if (s && cudaemu::deferring()) {  // (defer() takes op only then)
    cudaemu::defer(s, cudaemu::Task{std::move(op)});
    return cudaSuccess;
  }
  if (cudaemu::deferring()) {  // the legacy stream waits for every other
    if (cudaError_t e = cudaemu::run_all_streams()) return e;
  }
  op();
  return cudaSuccess;
}
cudaError_t no_capture() {
  return cudaemu::g_capturing_streams.load() > 0 ? set_error(cudaErrorStreamCaptureUnsupported) : cudaSuccess;
}
// Blocking calls (cudaMemcpy, cudaFree, cudaDeviceSynchronize) wait for all queued work.
cudaError_t synchronize_device() {
  if (cudaError_t e = no_capture()) return e;
  return cudaemu::deferring() ? cudaemu::run_all_streams() : cudaSuccess;
}
}  // namespace

cudaError_t cudaemu_cudaMalloc(void** p, size_t bytes) {
  if (!p) return set_error(cudaErrorInvalidValue);
  *p = nullptr;
  if (cudaError_t e = no_capture()) return e;
  if (bytes == 0) return cudaSuccess;
  // Exact size, so that ASan reports a one-element overrun.
  void* m = std::malloc(bytes);
  if (!m) return set_error(cudaErrorMemoryAllocation);
  std::lock_guard<std::mutex> lock(cudaemu::g_mu);
  cudaemu::g_device_allocs[m] = bytes;
  *p = m;
  return cudaSuccess;
}
cudaError_t cudaemu_cudaFree(void* p) {
  if (!p) return cudaSuccess;
  if (cudaemu::deferring()) {
    if (cudaError_t e = cudaemu::run_all_streams()) return e;
  }
  {
    std::lock_guard<std::mutex> lock(cudaemu::g_mu);
    auto it = cudaemu::g_device_allocs.find(p);
    if (it == cudaemu::g_device_allocs.end()) return set_error(cudaErrorInvalidValue);
    cudaemu::g_device_allocs.erase(it);
  }
  std::free(p);
  return cudaSuccess;
}
cudaError_t cudaemu_cudaMallocHost(void** p, size_t bytes) {
  return cudaemu_cudaHostAlloc(p, bytes, 0);
}
cudaError_t cudaemu_cudaHostAlloc(void** p, size_t bytes, unsigned) {
  if (!p) return set_error(cudaErrorInvalidValue);
  *p = nullptr;
  if (bytes == 0) return cudaSuccess;
  void* m = std::malloc(bytes);
  if (!m) return set_error(cudaErrorMemoryAllocation);
  std::lock_guard<std::mutex> lock(cudaemu::g_mu);
  cudaemu::g_host_allocs[m] = bytes;
  *p = m;
  return cudaSuccess;
}
cudaError_t cudaemu_cudaFreeHost(void* p) {
  if (!p) return cudaSuccess;
  if (cudaemu::deferring()) {
    if (cudaError_t e = cudaemu::run_all_streams()) return e;
  }
  {
    std::lock_guard<std::mutex> lock(cudaemu::g_mu);
    auto it = cudaemu::g_host_allocs.find(p);
    if (it == cudaemu::g_host_allocs.end()) return set_error(cudaErrorInvalidValue);
    cudaemu::g_host_allocs.erase(it);
  }
  std::free(p);
  return cudaSuccess;
}
cudaError_t cudaemu_cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind) {
  if (cudaError_t e = synchronize_device()) return e;
  if (bytes && (!dst || !src)) return set_error(cudaErrorInvalidValue);
  if (bytes) std::memmove(dst, src, bytes);
  return cudaSuccess;
}
cudaError_t cudaemu_cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind,
                                    cudaStream_t s) {
  if (bytes && (!dst || !src)) return set_error(cudaErrorInvalidValue);
  return run_or_capture(s, [=]() {
    if (bytes) std::memmove(dst, src, bytes);
  });
}
cudaError_t cudaemu_cudaMemcpy2DAsync(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width,
                                      size_t height, cudaMemcpyKind, cudaStream_t s) {
  if (width > dpitch || width > spitch) return set_error(cudaErrorInvalidPitchValue);
  if (width && height && (!dst || !src)) return set_error(cudaErrorInvalidValue);
  return run_or_capture(s, [=]() {
    for (size_t r = 0; r < height; ++r)
      std::memmove(static_cast<char*>(dst) + r * dpitch, static_cast<const char*>(src) + r * spitch, width);
  });
}
cudaError_t cudaemu_cudaMemset(void* p, int value, size_t bytes) {
  if (cudaError_t e = synchronize_device()) return e;
  if (bytes && !p) return set_error(cudaErrorInvalidValue);
  if (bytes) std::memset(p, value, bytes);
  return cudaSuccess;
}
cudaError_t cudaemu_cudaMemsetAsync(void* p, int value, size_t bytes, cudaStream_t s) {
  if (bytes && !p) return set_error(cudaErrorInvalidValue);
  return run_or_capture(s, [=]() {
    if (bytes) std::memset(p, value, bytes);
  });
}
cudaError_t cudaemu_cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
  if (!free_bytes || !total_bytes) return set_error(cudaErrorInvalidValue);
  std::lock_guard<std::mutex> lock(cudaemu::g_mu);
  size_t used = 0;
  for (auto& kv : cudaemu::g_device_allocs) used += kv.second;
  *total_bytes = cudaemu::g_options.device_memory;
  *free_bytes = used > *total_bytes ? 0 : *total_bytes - used;
  return cudaSuccess;
}
cudaError_t cudaemu_cudaPointerGetAttributes(cudaPointerAttributes* attr, const void* p) {
  if (!attr) return set_error(cudaErrorInvalidValue);
  *attr = cudaPointerAttributes{};
  std::lock_guard<std::mutex> lock(cudaemu::g_mu);
  auto in = [p](const std::map<const void*, size_t>& m) {
    auto it = m.upper_bound(p);
    if (it == m.begin()) return false;
    --it;
    return static_cast<const char*>(p) < static_cast<const char*>(it->first) + it->second;
  };
  if (in(cudaemu::g_device_allocs)) {
    attr->type = cudaMemoryTypeDevice;
    attr->devicePointer = const_cast<void*>(p);
  } else if (in(cudaemu::g_host_allocs)) {
    attr->type = cudaMemoryTypeHost;
    attr->hostPointer = const_cast<void*>(p);
    attr->devicePointer = const_cast<void*>(p);
  } else {
    attr->type = cudaMemoryTypeUnregistered;
  }
  return cudaSuccess;
}
cudaError_t cudaemu_cudaGetDeviceCount(int* n) {
  if (!n) return set_error(cudaErrorInvalidValue);
  *n = 1;
  return cudaSuccess;
}
cudaError_t cudaemu_cudaGetDevice(int* d) {
  if (!d) return set_error(cudaErrorInvalidValue);
  *d = 0;
  return cudaSuccess;
}
cudaError_t cudaemu_cudaSetDevice(int d) {
  return d == 0 ? cudaSuccess : set_error(cudaErrorInvalidDevice);
}
cudaError_t cudaemu_cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device) {
  if (!value) return set_error(cudaErrorInvalidValue);
  if (device != 0) return set_error(cudaErrorInvalidDevice);
  switch (attr) {
    case cudaDevAttrMaxThreadsPerBlock:
      *value = 1024;
      return cudaSuccess;
    case cudaDevAttrMaxSharedMemoryPerBlock:
      *value = 48 << 10;
      return cudaSuccess;
    case cudaDevAttrMaxSharedMemoryPerBlockOptin:
      *value = 227 << 10;
      return cudaSuccess;
    case cudaDevAttrMultiProcessorCount:
      *value = 2;
      return cudaSuccess;
    case cudaDevAttrWarpSize:
      *value = 32;
      return cudaSuccess;
    case cudaDevAttrComputeCapabilityMajor:
      *value = 9;
      return cudaSuccess;
    case cudaDevAttrComputeCapabilityMinor:
      *value = 0;
      return cudaSuccess;
    default:
      return set_error(cudaErrorInvalidValue);
  }
}
cudaError_t cudaemu_cudaDriverGetVersion(int* v) {
  if (!v) return set_error(cudaErrorInvalidValue);
  *v = CUDART_VERSION;
  return cudaSuccess;
}
cudaError_t cudaemu_cudaRuntimeGetVersion(int* v) {
  return cudaemu_cudaDriverGetVersion(v);
}
cudaError_t cudaemu_cudaGetLastError() {
  cudaError_t e = cudaemu::t_last_error;
  cudaemu::t_last_error = cudaSuccess;
  return e;
}
cudaError_t cudaemu_cudaPeekAtLastError() {
  return cudaemu::t_last_error;
}
const char* cudaemu_cudaGetErrorName(cudaError_t e) {
  switch (e) {
    case cudaSuccess:
      return "cudaSuccess";
    case cudaErrorInvalidValue:
      return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation:
      return "cudaErrorMemoryAllocation";
    case cudaErrorInvalidConfiguration:
      return "cudaErrorInvalidConfiguration";
    case cudaErrorInvalidDevice:
      return "cudaErrorInvalidDevice";
    case cudaErrorInvalidPitchValue:
      return "cudaErrorInvalidPitchValue";
    case cudaErrorLaunchFailure:
      return "cudaErrorLaunchFailure";
    case cudaErrorStreamCaptureUnsupported:
      return "cudaErrorStreamCaptureUnsupported";
    case cudaErrorStreamCaptureImplicit:
      return "cudaErrorStreamCaptureImplicit";
    case cudaErrorIllegalState:
      return "cudaErrorIllegalState";
    default:
      return "cudaErrorUnknown";
  }
}
const char* cudaemu_cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaSuccess:
      return "no error";
    case cudaErrorInvalidValue:
      return "invalid argument";
    case cudaErrorMemoryAllocation:
      return "out of memory";
    case cudaErrorInvalidConfiguration:
      return "invalid configuration argument";
    case cudaErrorLaunchFailure:
      return "unspecified launch failure";
    default:
      return cudaemu_cudaGetErrorName(e);
  }
}
cudaError_t cudaemu_cudaDeviceSynchronize() {
  return synchronize_device();
}
cudaError_t cudaemu_cudaStreamCreate(cudaStream_t* s) {
  return cudaemu_cudaStreamCreateWithFlags(s, 0);
}
cudaError_t cudaemu_cudaStreamCreateWithFlags(cudaStream_t* s, unsigned) {
  if (!s) return set_error(cudaErrorInvalidValue);
  auto* es = new cudaemu::EmuStream();
  {
    std::lock_guard<std::recursive_mutex> lock(cudaemu::g_stream_mu);
    es->id = cudaemu::g_next_stream_id++;
    cudaemu::g_streams.push_back(es);
  }
  *s = reinterpret_cast<cudaStream_t>(es);
  return cudaSuccess;
}
cudaError_t cudaemu_cudaStreamDestroy(cudaStream_t s) {
  if (!s) return set_error(cudaErrorInvalidResourceHandle);
  auto* es = cudaemu::stream_of(s);
  if (es->capturing) cudaemu::g_capturing_streams--;
  std::lock_guard<std::recursive_mutex> lock(cudaemu::g_stream_mu);
  const cudaError_t e = cudaemu::run_stream(es);  // a destroyed stream still finishes its work
  cudaemu::g_streams.erase(std::find(cudaemu::g_streams.begin(), cudaemu::g_streams.end(), es));
  delete es;
  return e;
}
cudaError_t cudaemu_cudaStreamSynchronize(cudaStream_t s) {
  if (capturing(s)) return set_error(cudaErrorStreamCaptureUnsupported);
  if (!cudaemu::deferring()) return cudaSuccess;
  return s ? cudaemu::run_stream(cudaemu::stream_of(s)) : cudaemu::run_all_streams();
}
cudaError_t cudaemu_cudaStreamBeginCapture(cudaStream_t s, cudaStreamCaptureMode) {
  auto* es = cudaemu::stream_of(s);
  if (!es) return set_error(cudaErrorStreamCaptureUnsupported);  // the legacy stream cannot be captured
  if (es->capturing) return set_error(cudaErrorIllegalState);
  es->capturing = true;
  es->captured.clear();
  cudaemu::g_capturing_streams++;
  return cudaSuccess;
}
cudaError_t cudaemu_cudaStreamEndCapture(cudaStream_t s, cudaGraph_t* g) {
  auto* es = cudaemu::stream_of(s);
  if (!es || !es->capturing || !g) return set_error(cudaErrorIllegalState);
  es->capturing = false;
  cudaemu::g_capturing_streams--;
  auto* graph = new cudaemu::EmuGraph();
  graph->ops = std::move(es->captured);
  es->captured.clear();
  *g = reinterpret_cast<cudaGraph_t>(graph);
  return cudaSuccess;
}
cudaError_t cudaemu_cudaStreamIsCapturing(cudaStream_t s, cudaStreamCaptureStatus* st) {
  if (!st) return set_error(cudaErrorInvalidValue);
  *st = capturing(s) ? cudaStreamCaptureStatusActive : cudaStreamCaptureStatusNone;
  return cudaSuccess;
}
cudaError_t cudaemu_cudaLaunchHostFunc(cudaStream_t s, cudaHostFn_t fn, void* user_data) {
  if (!fn) return set_error(cudaErrorInvalidValue);
  return run_or_capture(s, [fn, user_data]() { fn(user_data); });
}
cudaError_t cudaemu_cudaGraphInstantiate(cudaGraphExec_t* e, cudaGraph_t g, unsigned long long) {
  if (!e || !g) return set_error(cudaErrorInvalidValue);
  auto* exec = new cudaemu::EmuGraph(*reinterpret_cast<cudaemu::EmuGraph*>(g));
  *e = reinterpret_cast<cudaGraphExec_t>(exec);
  return cudaSuccess;
}
cudaError_t cudaemu_cudaGraphLaunch(cudaGraphExec_t e, cudaStream_t s) {
  if (!e) return set_error(cudaErrorInvalidValue);
  if (capturing(s)) return set_error(cudaErrorStreamCaptureUnsupported);
  auto* graph = reinterpret_cast<cudaemu::EmuGraph*>(e);
  if (cudaemu::defer(s, cudaemu::Task{[graph]() {
                       for (auto& op : graph->ops) op();
                     }}))
    return cudaSuccess;
  if (cudaemu::deferring()) {
    if (cudaError_t err = cudaemu::run_all_streams()) return err;
  }
  for (auto& op : graph->ops) op();
  return cudaemu::t_last_error == cudaSuccess ? cudaSuccess : cudaemu::t_last_error;
}
cudaError_t cudaemu_cudaGraphExecDestroy(cudaGraphExec_t e) {
  delete reinterpret_cast<cudaemu::EmuGraph*>(e);
  return cudaSuccess;
}
cudaError_t cudaemu_cudaGraphDestroy(cudaGraph_t g) {
  delete reinterpret_cast<cudaemu::EmuGraph*>(g);
  return cudaSuccess;
}

namespace {
// With deferred streams an event also remembers the operation of its last record: complete once its
// stream has run that many.
struct EmuEvent {
  std::chrono::steady_clock::time_point t;
  uint64_t stream = 0;  // EmuStream::id; 0: never recorded on a deferred stream
  uint64_t pos = 0;
};
}  // namespace
cudaError_t cudaemu_cudaEventCreate(cudaEvent_t* e) {
  return cudaemu_cudaEventCreateWithFlags(e, 0);
}
cudaError_t cudaemu_cudaEventCreateWithFlags(cudaEvent_t* e, unsigned) {
  if (!e) return set_error(cudaErrorInvalidValue);
  *e = reinterpret_cast<cudaEvent_t>(new EmuEvent{std::chrono::steady_clock::now()});
  return cudaSuccess;
}
cudaError_t cudaemu_cudaEventDestroy(cudaEvent_t e) {
  delete reinterpret_cast<EmuEvent*>(e);
  return cudaSuccess;
}
cudaError_t cudaemu_cudaEventRecord(cudaEvent_t e, cudaStream_t s) {
  if (!e) return set_error(cudaErrorInvalidResourceHandle);
  auto* ev = reinterpret_cast<EmuEvent*>(e);
  auto stamp = [ev]() { ev->t = std::chrono::steady_clock::now(); };
  if (cudaemu::deferring() && s && !capturing(s)) {
    std::lock_guard<std::recursive_mutex> lock(cudaemu::g_stream_mu);
    cudaemu::defer(s, cudaemu::Task{stamp});
    ev->stream = cudaemu::stream_of(s)->id;
    ev->pos = cudaemu::stream_of(s)->enqueued;
    return cudaSuccess;
  }
  return run_or_capture(s, stamp);
}
cudaError_t cudaemu_cudaEventSynchronize(cudaEvent_t e) {
  if (!e) return set_error(cudaErrorInvalidResourceHandle);
  if (!cudaemu::deferring()) return cudaSuccess;
  const auto* ev = reinterpret_cast<EmuEvent*>(e);
  const uint64_t id = ev->stream, pos = ev->pos;
  const cudaemu::EmuStream* awaited = nullptr;
  std::lock_guard<std::recursive_mutex> lock(cudaemu::g_stream_mu);
  for (const cudaemu::EmuStream* s : cudaemu::g_streams)
    if (s->id == id) awaited = s;
  return cudaemu::run_streams_until(awaited, [id, pos] { return cudaemu::reached(id, pos); });
}
cudaError_t cudaemu_cudaEventElapsedTime(float* ms, cudaEvent_t a, cudaEvent_t b) {
  if (!ms || !a || !b) return set_error(cudaErrorInvalidValue);
  *ms = std::chrono::duration<float, std::milli>(reinterpret_cast<EmuEvent*>(b)->t -
                                                 reinterpret_cast<EmuEvent*>(a)->t)
            .count();
  return cudaSuccess;
}
cudaError_t cudaemu_cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t e, unsigned) {
  if (!e) return set_error(cudaErrorInvalidResourceHandle);
  // The wait is on the event's last record as of now, as in CUDA (a later record does not move it).
  const auto* ev = reinterpret_cast<EmuEvent*>(e);
  // A capture records the stream's own work only; a wait inside it adds nothing to replay here.
  if (!capturing(s)) (void)cudaemu::defer(s, cudaemu::Task{nullptr, ev->stream, ev->pos});
  return cudaSuccess;
}
cudaError_t cudaemu_cudaFuncSetAttribute(const void* f, cudaFuncAttribute attr, int value) {
  if (!f) return set_error(cudaErrorInvalidDeviceFunction);
  if (attr == cudaFuncAttributeMaxDynamicSharedMemorySize) {
    if (value < 0 || value > (227 << 10)) return set_error(cudaErrorInvalidValue);
    std::lock_guard<std::mutex> lock(cudaemu::g_mu);
    cudaemu::g_func_max_dyn_smem[f] = value;
  }
  return cudaSuccess;
}
cudaError_t cudaemu_cudaMemcpyToSymbol_impl(void* symbol, const void* src, size_t bytes, size_t offset) {
  if (bytes && !src) return set_error(cudaErrorInvalidValue);
  if (bytes) std::memcpy(static_cast<char*>(symbol) + offset, src, bytes);
  return cudaSuccess;
}
cudaError_t cudaemu_cudaMemcpyFromSymbol_impl(void* dst, const void* symbol, size_t bytes, size_t offset) {
  if (bytes && !dst) return set_error(cudaErrorInvalidValue);
  if (bytes) std::memcpy(dst, static_cast<const char*>(symbol) + offset, bytes);
  return cudaSuccess;
}
