// pool/internal/task.h: what a task is, and the compile errors for what is
// not.
//
// A task is a plain function or a captureless lambda with concrete parameter
// types: only its address crosses to the worker (a fork of the same program),
// so it must not carry state. TaskTraits<F> says whether F is one, and its
// parameter and result types; it never fails to compile, whatever F is, so
// that the public templates can always name a return type and report one
// clear error of their own (Fail) instead of a cascade.

#ifndef POOL_INTERNAL_TASK_H_
#define POOL_INTERNAL_TASK_H_

#include <cstddef>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <ranges>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "pool/codec.h"
#include "pool/errors.h"

namespace pool::internal {

// What a task returning void stores and sends: nothing, as a value.
struct Unit {
  friend bool operator==(Unit, Unit) { return true; }
};

}  // namespace pool::internal

template <>
struct pool::Codec<pool::internal::Unit> {
  static void encode(Writer&, internal::Unit) {}
  static internal::Unit decode(Reader&) { return {}; }
};

namespace pool::internal {

template <class R>
using Stored = std::conditional_t<std::is_void_v<R>, Unit, R>;

// Stands for a result type that cannot be known because the task is not a
// valid one: the call has already failed to compile with a clear message,
// and this converts to anything so that no second error follows.
struct Invalid {
  Invalid() = default;
  template <class... T>
  Invalid(T&&...) {}  // NOLINT: stands in for any item of a braced list.
  template <class T>
  operator T() const;  // Never defined: only named after an error.
};

// The traits of a plain function pointer: result and decayed parameters.
template <class F>
struct FnTraits;
template <class R, class... A>
struct FnTraits<R (*)(A...)> {
  using Ptr = R (*)(A...);
  using Result = R;
  using Args = std::tuple<std::decay_t<A>...>;
  static constexpr std::size_t kArity = sizeof...(A);
};
template <class R, class... A>
struct FnTraits<R (*)(A...) noexcept> : FnTraits<R (*)(A...)> {};

// The traits of a member call operator, to know the result of a lambda that
// is not a valid task (one with captures), for the return type only.
template <class M>
struct CallOperatorResult {
  using type = Invalid;
};
template <class R, class C, class... A>
struct CallOperatorResult<R (C::*)(A...) const> {
  using type = R;
};
template <class R, class C, class... A>
struct CallOperatorResult<R (C::*)(A...) const noexcept> {
  using type = R;
};
template <class R, class C, class... A>
struct CallOperatorResult<R (C::*)(A...)> {
  using type = R;
};

// Whether F converts to a plain function pointer (a captureless lambda with
// concrete parameter types does).
template <class F>
concept ConvertsToFunctionPointer = requires(F f) {
  { +f } -> std::same_as<typename FnTraits<decltype(+f)>::Ptr>;
};

template <class F>
struct TaskTraits {
  static constexpr bool kIsPointer =
      std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>;
  static constexpr bool kIsLambda =
      std::is_class_v<F> && std::is_empty_v<F> && ConvertsToFunctionPointer<F>;
  static constexpr bool kValid = kIsPointer || kIsLambda;
  // A class with state that could otherwise be called: a capturing lambda,
  // a std::function, a functor with members.
  static constexpr bool kHasState = std::is_class_v<F> && !std::is_empty_v<F>;

  static auto PointerType() {
    if constexpr (kIsPointer) {
      return std::type_identity<F>{};
    } else if constexpr (kIsLambda) {
      return std::type_identity<decltype(+std::declval<F>())>{};
    } else {
      return std::type_identity<void>{};
    }
  }
  static auto ResultType() {
    if constexpr (kValid) {
      return std::type_identity<
          typename FnTraits<typename decltype(PointerType())::type>::Result>{};
    } else if constexpr (requires { &F::operator(); }) {
      return std::type_identity<
          typename CallOperatorResult<decltype(&F::operator())>::type>{};
    } else {
      return std::type_identity<Invalid>{};
    }
  }
  // The function pointer type (void if F is not a task).
  using Ptr = typename decltype(PointerType())::type;
  // The result type (Invalid if it cannot be known).
  using Result = typename decltype(ResultType())::type;
};

template <class F>
using FnPtr = typename TaskTraits<F>::Ptr;
template <class F>
using ResultOf = typename TaskTraits<F>::Result;

// The task as a plain function pointer. Only for a valid task.
template <class F>
FnPtr<F> ToFunctionPointer(F f) {
  if constexpr (TaskTraits<F>::kIsPointer) {
    return f;
  } else {
    return +f;
  }
}

// How one item becomes a call: kOne passes the item as the single argument
// (map, imap); kStar unpacks a tuple item into the arguments (apply, starmap).
enum class CallStyle { kOne, kStar };

template <class Args, CallStyle kStyle>
struct ItemOf {
  using type = Args;  // kStar: the whole argument tuple.
};
template <class Args>
struct ItemOf<Args, CallStyle::kOne> {
  using type = std::tuple_element_t<0, Args>;
};

template <class Ptr, CallStyle kStyle>
struct Call {
  using Traits = FnTraits<Ptr>;
  using R = typename Traits::Result;
  using Item = typename ItemOf<typename Traits::Args, kStyle>::type;

  static Stored<R> Run(Ptr fn, Item& item) {
    if constexpr (kStyle == CallStyle::kStar) {
      if constexpr (std::is_void_v<R>) {
        std::apply(fn, item);
        return Unit{};
      } else {
        return std::apply(fn, item);
      }
    } else {
      if constexpr (std::is_void_v<R>) {
        fn(item);
        return Unit{};
      } else {
        return fn(item);
      }
    }
  }
};

// The std::function a pool::Callback<R> holds: void(const R&), or void().
template <class R>
struct CallbackFunction {
  using type = std::function<void(const R&)>;
};
template <>
struct CallbackFunction<void> {
  using type = std::function<void()>;
};

// --- Compile-time diagnosis
// ---------------------------------------------------

// What is wrong with a call, in the order it is checked.
enum class Problem {
  kNone,
  kTaskHasState,       // A capturing lambda, a std::function, a functor.
  kTaskNotAFunction,   // A generic lambda, an overload set, not callable.
  kTaskArity,          // map/imap: not exactly one parameter.
  kItemsNotARange,     // The items are not a range.
  kItemType,           // map/imap: an item does not convert to the parameter.
  kStarItemType,       // starmap: an item does not unpack into the params.
  kArgumentTypes,      // apply: the arguments do not fit the parameters.
  kParameterNoCodec,   // Pool: a parameter type has no pool::Codec.
  kResultNoCodec,      // Pool: the result type has no pool::Codec.
  kApplyAsyncShape,    // apply_async(fn, args, options) misused.
  kMapShape,           // map/starmap(fn, items, options) misused.
  kMapAsyncShape,      // map_async/starmap_async(fn, items, options).
  kIMapShape,          // imap/imap_unordered(fn, items, options).
  kCallbackType,       // .callback cannot take the result.
  kErrorCallbackType,  // .error_callback cannot take a pool::Error.
};

// True unless `p` is `q`; a function, so that each static_assert below fires
// for its own problem only.
constexpr bool IsNot(Problem p, Problem q) { return p != q; }

// The outcome of a check: the first problem found, and the type at fault
// (the task, an item, a parameter or result without a codec, a callback).
template <Problem p, class T = void>
struct Verdict {
  static constexpr Problem kProblem = p;
  using Culprit = T;
};
using Fine = Verdict<Problem::kNone>;

// The one checked dispatch of every public template: if V found no problem
// (V is Fine), returns body(V{}), the call itself; otherwise fails to compile
// with the message of V's problem, and nothing else. `body` is a generic
// lambda, `[&](auto) { ... }`, so that it is compiled only for a call that
// passed: an invalid one never reaches the code that would fail in a
// cascade of errors. Result is the public method's return type (a value is
// needed even when compilation has failed, so that the caller's expression
// raises no second error). The catch-all "misuse" overloads call it with no
// body and a failing V. The "In instantiation of" line the compiler prints
// above the message names V's Culprit, the type at fault.
//
// The messages are here, in the function the public method calls, so that
// the whole error (include chain, instantiation chain, message) stays within
// the 10 lines //pool:compile_errors_test allows.
struct NoBody {};
template <class V, class Result = void, class Body = NoBody>
Result Checked(Body body = {}) {
  constexpr Problem p = V::kProblem;
  if constexpr (p == Problem::kNone) {
    return body(V{});
  } else {
    static_assert(
        IsNot(p, Problem::kTaskHasState),
        "pool: the task (first argument) has state: a capturing "
        "lambda, a std::function or a functor. A task runs in another "
        "process, where that state does not exist: use a plain "
        "function or a captureless lambda, and pass the values as "
        "arguments.");
    static_assert(IsNot(p, Problem::kTaskNotAFunction),
                  "pool: the task (first argument) is not a plain function or "
                  "a captureless lambda with concrete parameter types (a "
                  "generic `auto` lambda and an overloaded name are not): only "
                  "a function's address can be sent to a worker.");
    static_assert(IsNot(p, Problem::kTaskArity),
                  "pool: a map/imap task (first argument) takes exactly one "
                  "parameter, the item; for a task of several parameters use "
                  "starmap with tuples.");
    static_assert(IsNot(p, Problem::kItemsNotARange),
                  "pool: the items (second argument) are not a range; pass a "
                  "container, a view or a braced list (map and starmap need a "
                  "forward range, imap an input range).");
    static_assert(IsNot(p, Problem::kItemType),
                  "pool: an item (second argument) does not convert to the "
                  "task's parameter type.");
    static_assert(IsNot(p, Problem::kStarItemType),
                  "pool: a starmap item (second argument) does not unpack into "
                  "the task's parameters; each item is a std::tuple (or "
                  "std::pair) with one value per parameter.");
    static_assert(IsNot(p, Problem::kArgumentTypes),
                  "pool: the arguments (after the task) do not fit the task's "
                  "parameters: one argument per parameter, each convertible to "
                  "its type.");
    static_assert(IsNot(p, Problem::kParameterNoCodec),
                  "pool: a parameter type of the task (T above) has no "
                  "pool::Codec, so its value cannot be sent to a worker: write "
                  "one (see pool/codec.h) or use a ThreadPool.");
    static_assert(IsNot(p, Problem::kResultNoCodec),
                  "pool: the task's result type (T above) has no pool::Codec, "
                  "so it cannot be sent back from a worker: write one (see "
                  "pool/codec.h) or use a ThreadPool.");
    static_assert(IsNot(p, Problem::kApplyAsyncShape),
                  "pool: apply_async takes (fn, args, options): args is one "
                  "std::tuple of the arguments, and callbacks go in the "
                  "options: apply_async(fn, std::tuple{7}, {.callback = cb, "
                  ".error_callback = on_error}).");
    static_assert(IsNot(p, Problem::kMapShape),
                  "pool: map and starmap take (fn, items, options), with "
                  "options {.chunksize = n}; callbacks need map_async or "
                  "starmap_async.");
    static_assert(
        IsNot(p, Problem::kMapAsyncShape),
        "pool: map_async and starmap_async take (fn, items, options): "
        "chunksize and the callbacks go in one options argument: "
        "{.chunksize = 8, .callback = on_results, .error_callback = "
        "on_error}, in that order.");
    static_assert(IsNot(p, Problem::kIMapShape),
                  "pool: imap and imap_unordered take (fn, items, options), "
                  "with options {.chunksize = n, .buffersize = m}.");
    static_assert(IsNot(p, Problem::kCallbackType),
                  "pool: this .callback cannot be called with the result: it "
                  "takes `const R&` (R above; for map_async, the whole "
                  "std::vector of results), or nothing for a task returning "
                  "void.");
    static_assert(IsNot(p, Problem::kErrorCallbackType),
                  "pool: this .error_callback cannot be called with the error: "
                  "it takes `const pool::Error&`.");
    std::abort();  // Never reached: the call did not compile.
  }
}

// The first problem with a task F.
template <class F>
constexpr auto CheckTask() {
  if constexpr (TaskTraits<F>::kValid) {
    return Fine{};
  } else if constexpr (TaskTraits<F>::kHasState) {
    return Verdict<Problem::kTaskHasState, F>{};
  } else {
    return Verdict<Problem::kTaskNotAFunction, F>{};
  }
}

// The first parameter type without a codec (void if none).
template <class Args>
struct FirstWithoutCodec;
template <>
struct FirstWithoutCodec<std::tuple<>> {
  using type = void;
};
template <class A, class... Rest>
struct FirstWithoutCodec<std::tuple<A, Rest...>> {
  using type = std::conditional_t<
      Encodable<A>, typename FirstWithoutCodec<std::tuple<Rest...>>::type, A>;
};

// For a pool that encodes (kEncodes): the first parameter of task F without
// a codec, then its result.
template <bool kEncodes, class F>
constexpr auto CheckCodecs() {
  using Missing =
      typename FirstWithoutCodec<typename FnTraits<FnPtr<F>>::Args>::type;
  using R = Stored<ResultOf<F>>;
  if constexpr (!kEncodes) {
    return Fine{};
  } else if constexpr (!std::is_void_v<Missing>) {
    return Verdict<Problem::kParameterNoCodec, Missing>{};
  } else if constexpr (!Encodable<R>) {
    return Verdict<Problem::kResultNoCodec, R>{};
  } else {
    return Fine{};
  }
}

// fn(args...) for a task F and arguments A..., in a pool that encodes
// (kEncodes) or not.
template <bool kEncodes, class F, class... A>
constexpr auto CheckApply() {
  if constexpr (TaskTraits<F>::kValid) {
    if constexpr (!std::is_constructible_v<typename FnTraits<FnPtr<F>>::Args,
                                           A&&...>) {
      return Verdict<Problem::kArgumentTypes, F>{};
    } else {
      return CheckCodecs<kEncodes, F>();
    }
  } else {
    return CheckTask<F>();
  }
}
template <bool kEncodes, class F, class... A>
using ApplyCheck = decltype(CheckApply<kEncodes, F, A...>());

// map/imap (kOne: each item is the argument) or starmap (kStar: each item
// unpacks into the arguments) of task F over a range of type Items, which
// must be a forward range (kForward: map, starmap) or an input range (imap).
template <bool kEncodes, CallStyle kStyle, bool kForward, class F, class Items>
constexpr auto CheckMap() {
  using Range = std::remove_cvref_t<Items>;
  if constexpr (!TaskTraits<F>::kValid) {
    return CheckTask<F>();
  } else if constexpr (kStyle == CallStyle::kOne &&
                       FnTraits<FnPtr<F>>::kArity != 1) {
    return Verdict<Problem::kTaskArity, F>{};
  } else if constexpr (kForward ? !std::ranges::forward_range<const Range&>
                                : !std::ranges::input_range<Range>) {
    return Verdict<Problem::kItemsNotARange, Range>{};
  } else {
    using Args = typename FnTraits<FnPtr<F>>::Args;
    using Item = std::ranges::range_reference_t<Range>;
    if constexpr (kStyle == CallStyle::kOne &&
                  !std::is_constructible_v<std::tuple_element_t<0, Args>,
                                           Item>) {
      return Verdict<Problem::kItemType, std::ranges::range_value_t<Range>>{};
    } else if constexpr (kStyle == CallStyle::kStar &&
                         !std::is_constructible_v<Args, Item>) {
      return Verdict<Problem::kStarItemType,
                     std::ranges::range_value_t<Range>>{};
    } else {
      return CheckCodecs<kEncodes, F>();
    }
  }
}
template <bool kEncodes, CallStyle kStyle, bool kForward, class F, class Items>
using MapCheck = decltype(CheckMap<kEncodes, kStyle, kForward, F, Items>());

// The element type of a braced list of items for task F: its parameter
// (kOne) or its argument tuple (kStar); Invalid if F is not a task.
template <class F, CallStyle kStyle>
struct ListItemOf {
  using type = Invalid;
};
template <class F, CallStyle kStyle>
requires(TaskTraits<F>::kValid &&
         (kStyle == CallStyle::kStar ||
          FnTraits<FnPtr<F>>::kArity == 1)) struct ListItemOf<F, kStyle> {
  using type = typename ItemOf<typename FnTraits<FnPtr<F>>::Args, kStyle>::type;
};
template <class F, CallStyle kStyle>
using ListItem = typename ListItemOf<F, kStyle>::type;

// --- Telling a misuse from a call --------------------------------------------
//
// Each public method has a catch-all overload that only reports a misuse
// (options in the wrong place, an argument too many). These say when the
// real overload fits, so that the catch-all stays out of its way.

template <class T>
struct IsTuple : std::false_type {};
template <class... T>
struct IsTuple<std::tuple<T...>> : std::true_type {};

// True if (rest...), the arguments after (fn, items), is what the real
// overload takes: nothing, or one value convertible to Options.
template <class Options, class... Rest>
inline constexpr bool kOptionsFit =
    sizeof...(Rest) == 0 ||
    (sizeof...(Rest) == 1 && (std::is_convertible_v<Rest, Options> && ...));

// True if (rest...), the arguments after fn, is what apply_async takes:
// nothing, or a std::tuple and optionally one value convertible to Options.
template <class Options, class... Rest>
struct ApplyAsyncFits : std::bool_constant<sizeof...(Rest) == 0> {};
template <class Options, class Args, class... Rest>
struct ApplyAsyncFits<Options, Args, Rest...>
    : std::bool_constant<IsTuple<std::remove_cvref_t<Args>>::value &&
                         kOptionsFit<Options, Rest...>> {};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_TASK_H_
