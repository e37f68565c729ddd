// A move-only `void()` callable that stores small callables (up to 64 bytes: a `this` pointer
// and a few values, the usual scheduled lambda) in place. std::function allocates beyond
// 16 bytes, and the model schedules a callback for most packets, TLPs and beats.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace nicsim::timing {

class Callback {
public:
    Callback() = default;

    template <class F, class D = std::decay_t<F>, class = std::enable_if_t<!std::is_same_v<D, Callback>>>
    Callback(F&& f) {  // NOLINT(google-explicit-constructor): lambdas convert, like std::function
        if constexpr (fits_inline<D>()) {
            new (buf_) D(std::forward<F>(f));
            ops_ = &kInlineOps<D>;
        } else {
            *reinterpret_cast<D**>(buf_) = new D(std::forward<F>(f));
            ops_ = &kHeapOps<D>;
        }
    }
    Callback(Callback&& o) noexcept { take(o); }
    Callback& operator=(Callback&& o) noexcept {
        if (this != &o) {
            reset();
            take(o);
        }
        return *this;
    }
    Callback(const Callback&) = delete;
    Callback& operator=(const Callback&) = delete;
    ~Callback() { reset(); }

    void operator()() { ops_->call(buf_); }
    explicit operator bool() const { return ops_ != nullptr; }

private:
    static constexpr size_t kInline = 64;
    struct Ops {
        void (*call)(void*);
        void (*move)(void* dst, void* src);  // move-constructs into dst and destroys src
        void (*destroy)(void*);
    };
    template <class D>
    static constexpr bool fits_inline() {
        return sizeof(D) <= kInline && alignof(D) <= alignof(std::max_align_t) && std::is_nothrow_move_constructible_v<D>;
    }
    template <class D>
    static constexpr Ops kInlineOps = {
        [](void* p) { (*static_cast<D*>(p))(); },
        [](void* dst, void* src) {
            new (dst) D(std::move(*static_cast<D*>(src)));
            static_cast<D*>(src)->~D();
        },
        [](void* p) { static_cast<D*>(p)->~D(); },
    };
    template <class D>
    static constexpr Ops kHeapOps = {
        [](void* p) { (**static_cast<D**>(p))(); },
        [](void* dst, void* src) { *static_cast<D**>(dst) = *static_cast<D**>(src); },
        [](void* p) { delete *static_cast<D**>(p); },
    };

    void take(Callback& o) {
        ops_ = o.ops_;
        if (ops_) ops_->move(buf_, o.buf_);
        o.ops_ = nullptr;
    }
    void reset() {
        if (ops_) ops_->destroy(buf_);
        ops_ = nullptr;
    }

    alignas(std::max_align_t) unsigned char buf_[kInline];
    const Ops* ops_ = nullptr;
};

}  // namespace nicsim::timing
