// Thread-safety annotations: which mutex guards which data, and which functions
// need it held. clang checks them at compile time (-Wthread-safety, run over the
// translation units that use common/mutex.h by the ThreadSafetyAnnotations test);
// under other compilers they expand to nothing. Use them through common/mutex.h:
//   Mutex mu_;
//   int64_t count_ GUARDED_BY(mu_) = 0;
//   void FlushLocked() REQUIRES(mu_);
//   void Flush() EXCLUDES(mu_);
// The names follow clang's documentation ("Thread Safety Analysis") and abseil.
#pragma once

#if defined(__clang__)
#define GAGGLE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define GAGGLE_THREAD_ANNOTATION(x)
#endif

// A class whose objects are locks (Mutex).
#define CAPABILITY(x) GAGGLE_THREAD_ANNOTATION(capability(x))
// An RAII class that holds a capability for its lifetime (MutexLock).
#define SCOPED_CAPABILITY GAGGLE_THREAD_ANNOTATION(scoped_lockable)

// Data that may be read or written only with the given mutex held.
#define GUARDED_BY(x) GAGGLE_THREAD_ANNOTATION(guarded_by(x))
// A pointer whose pointee may be accessed only with the given mutex held.
#define PT_GUARDED_BY(x) GAGGLE_THREAD_ANNOTATION(pt_guarded_by(x))

// Lock ordering: this mutex is taken after / before the given ones.
#define ACQUIRED_AFTER(...) GAGGLE_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define ACQUIRED_BEFORE(...) GAGGLE_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))

// The caller must hold the given mutexes (exclusively / shared).
#define REQUIRES(...) GAGGLE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) GAGGLE_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// The caller must not hold the given mutexes (the function takes them).
#define EXCLUDES(...) GAGGLE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// The function acquires / releases the given mutexes (or `this` when none is named).
#define ACQUIRE(...) GAGGLE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) GAGGLE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) GAGGLE_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
// Tells the analysis the mutex is held here (checked at run time by the callee, if at all).
#define ASSERT_CAPABILITY(x) GAGGLE_THREAD_ANNOTATION(assert_capability(x))
// The function returns a reference to the given mutex.
#define RETURN_CAPABILITY(x) GAGGLE_THREAD_ANNOTATION(lock_returned(x))

// Turns the analysis off for one function: only for lock plumbing the analysis cannot
// follow (handing a held mutex to std::condition_variable), never to silence a finding.
#define NO_THREAD_SAFETY_ANALYSIS GAGGLE_THREAD_ANNOTATION(no_thread_safety_analysis)
