/* kfk for C++17, header-only, over kfk.h.
 *
 * Handles are RAII and move-only; strings go in and out as
 * std::string_view; a polled message releases itself; callbacks are any
 * callable. Failures throw kfk::error (a std::runtime_error carrying the
 * kfk_err); every call that can fail also has a form taking an
 * error_code& last, which never throws. Ownership and thread rules are
 * those of the C call each method names. */
#ifndef KFK_HPP
#define KFK_HPP

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kfk.h"

namespace kfk {

/* ---------------------------------------------------------------- errors */

class error : public std::runtime_error {
  public:
    error(int code, const std::string &what) : std::runtime_error(what), code_(code) {}
    int code() const noexcept { return code_; }
    const char *name() const noexcept { return kfk_err_name(code_); }

  private:
    int code_;
};

/* The non-throwing form's outcome: 0 or a kfk_err, and its detail. */
struct error_code {
    int value = 0;
    std::string detail;
    explicit operator bool() const noexcept { return value != 0; }
    std::string message() const { return detail.empty() ? kfk_err_str(value) : detail; }
};

inline const char *version() noexcept { return kfk_version(); }
inline const char *err_name(int err) noexcept { return kfk_err_name(err); }
inline const char *err_str(int err) noexcept { return kfk_err_str(err); }
inline bool err_retriable(int err) noexcept { return kfk_err_retriable(err) != 0; }
inline const char *api_name(int api_key) noexcept { return kfk_api_name(api_key); }
inline int api_key_count() noexcept { return kfk_api_key_count(); }
inline int32_t murmur2(std::string_view data) noexcept {
    return kfk_murmur2(data.data(), data.size());
}
inline void set_allocator(const kfk_allocator *a) noexcept { kfk_set_allocator(a); }

namespace detail {
inline void check(int rc, const char *what) {
    if (rc) throw error(rc, std::string(what) + ": " + kfk_err_str(rc));
}
inline void check(int rc, const char *what, const char *errstr) {
    if (rc) throw error(rc, std::string(what) + ": " + (*errstr ? errstr : kfk_err_str(rc)));
}
inline void set(error_code &ec, int rc, const char *errstr = "") noexcept {
    ec.value = rc;
    try {
        ec.detail = rc ? errstr : "";
    } catch (...) {
    }
}
inline std::string_view view(const void *p, size_t n) {
    return p ? std::string_view(static_cast<const char *>(p), n) : std::string_view();
}
/* NUL-terminated copies for the C calls that take names. */
struct cstrs {
    std::vector<std::string> own;
    std::vector<const char *> ptrs;
    explicit cstrs(const std::vector<std::string_view> &names) {
        own.reserve(names.size());
        for (auto n : names) own.emplace_back(n);
        for (auto &s : own) ptrs.push_back(s.c_str());
    }
    const char *const *data() const { return ptrs.data(); }
    int size() const { return static_cast<int>(ptrs.size()); }
};
/* f(h, names, n) over NUL-terminated copies; KFK_ERR_NOMEM when they fail. */
template <class H>
int with_names(int (*f)(H *, const char *const *, int), H *h,
               const std::vector<std::string_view> &names) noexcept {
    try {
        cstrs n(names);
        return f(h, n.data(), n.size());
    } catch (const std::bad_alloc &) {
        return KFK_ERR_NOMEM;
    }
}
template <class T, void (*F)(T *)> struct deleter {
    void operator()(T *p) const noexcept { F(p); }
};
} // namespace detail

/* A read-only run of C structs (topics to create, ACLs...): a vector, a
 * pointer and a count, or a single one. */
template <class T> struct span {
    const T *ptr = nullptr;
    size_t len = 0;
    span() = default;
    span(const T *p, size_t n) : ptr(p), len(n) {}
    span(const std::vector<T> &v) : ptr(v.data()), len(v.size()) {}
    span(const T &one) : ptr(&one), len(1) {}
    const T *begin() const { return ptr; }
    const T *end() const { return ptr + len; }
    const T *data() const { return ptr; }
    int size() const { return static_cast<int>(len); }
};

/* ------------------------------------------------------------ small types */

class partition_list {
  public:
    explicit partition_list(int size = 0) : l_(kfk_partition_list_new(size)) {
        if (!l_) throw error(KFK_ERR_NOMEM, "kfk_partition_list_new");
    }
    explicit partition_list(kfk_partition_list *owned) noexcept : l_(owned) {}
    partition_list(const partition_list &o) : l_(kfk_partition_list_copy(o.get())) {
        if (!l_) throw error(KFK_ERR_NOMEM, "kfk_partition_list_copy");
    }
    partition_list(partition_list &&) noexcept = default;
    partition_list &operator=(partition_list &&) noexcept = default;
    kfk_partition &add(std::string_view topic, int32_t partition,
                       int64_t offset = KFK_OFFSET_INVALID) {
        kfk_partition *p = kfk_partition_list_add(l_.get(), std::string(topic).c_str(), partition);
        if (!p) throw error(KFK_ERR_NOMEM, "kfk_partition_list_add");
        p->offset = offset;
        return *p;
    }
    kfk_partition *find(std::string_view topic, int32_t partition) const noexcept {
        return kfk_partition_list_find(l_.get(), std::string(topic).c_str(), partition);
    }
    static void set_metadata(kfk_partition &p, std::string_view metadata) {
        detail::check(kfk_partition_set_metadata(&p, std::string(metadata).c_str()),
                      "kfk_partition_set_metadata");
    }
    kfk_partition *begin() const noexcept { return l_ ? l_->elems : nullptr; }
    kfk_partition *end() const noexcept { return l_ ? l_->elems + l_->count : nullptr; }
    int size() const noexcept { return l_ ? l_->count : 0; }
    kfk_partition_list *get() const noexcept { return l_.get(); }
    kfk_partition_list *release() noexcept { return l_.release(); }

  private:
    std::unique_ptr<kfk_partition_list,
                    detail::deleter<kfk_partition_list, kfk_partition_list_destroy>>
        l_;
};

class group_metadata {
  public:
    group_metadata(std::string_view group_id, int32_t generation_id, std::string_view member_id,
                   const char *group_instance_id = nullptr)
        : g_(kfk_group_metadata_new(std::string(group_id).c_str(), generation_id,
                                    std::string(member_id).c_str(), group_instance_id)) {
        if (!g_) throw error(KFK_ERR_NOMEM, "kfk_group_metadata_new");
    }
    explicit group_metadata(kfk_group_metadata *owned) noexcept : g_(owned) {}
    std::string_view group_id() const { return kfk_group_metadata_group_id(g_.get()); }
    int32_t generation_id() const { return kfk_group_metadata_generation_id(g_.get()); }
    std::string_view member_id() const { return kfk_group_metadata_member_id(g_.get()); }
    /* empty: a dynamic member */
    std::string_view group_instance_id() const {
        const char *s = kfk_group_metadata_group_instance_id(g_.get());
        return s ? s : std::string_view();
    }
    kfk_group_metadata *get() const noexcept { return g_.get(); }

  private:
    std::unique_ptr<kfk_group_metadata,
                    detail::deleter<kfk_group_metadata, kfk_group_metadata_destroy>>
        g_;
};

class offsets_view {
  public:
    explicit offsets_view(kfk_offsets_view *owned) noexcept : v_(owned) {}
    const kfk_partition_offsets *find(std::string_view topic, int32_t partition) const {
        return kfk_offsets_view_find(v_.get(), std::string(topic).c_str(), partition);
    }
    const kfk_partition_offsets *begin() const noexcept { return v_ ? v_->elems : nullptr; }
    const kfk_partition_offsets *end() const noexcept {
        return v_ ? v_->elems + v_->count : nullptr;
    }

  private:
    std::unique_ptr<kfk_offsets_view, detail::deleter<kfk_offsets_view, kfk_offsets_view_destroy>>
        v_;
};

/* kfk_stats_json's document (freed with kfk_free_buf). */
inline std::string stats_json(const kfk_stats &s) {
    size_t n = 0;
    char *j = kfk_stats_json(&s, &n);
    if (!j) throw error(KFK_ERR_NOMEM, "kfk_stats_json");
    std::string out(j, n);
    kfk_free_buf(j);
    return out;
}

/* ------------------------------------------------------------------- conf */

using log_fn = std::function<void(int level, std::string_view context, std::string_view message)>;
using stats_fn = std::function<void(const kfk_stats &stats, std::string_view json)>;
using token_fn = std::function<int(char *token, size_t token_size, int64_t *expiry_ms,
                                   char *errstr, size_t errstr_size)>;

namespace detail {
/* The conf's callables; shared by the conf, its copies and its client. */
struct conf_fns {
    log_fn log;
    stats_fn stats;
    token_fn token;
    static void on_log(void *o, int level, const char *ctx, const char *msg) {
        static_cast<conf_fns *>(o)->log(level, ctx ? ctx : "", msg);
    }
    static void on_stats(const kfk_stats *s, const char *json, size_t len, void *o) {
        static_cast<conf_fns *>(o)->stats(*s, std::string_view(json, len));
    }
    static int on_token(void *o, char *t, size_t ts, int64_t *exp, char *e, size_t es) {
        return static_cast<conf_fns *>(o)->token(t, ts, exp, e, es);
    }
};
} // namespace detail

class conf {
  public:
    conf() : c_(kfk_conf_new()), fns_(std::make_shared<detail::conf_fns>()) {
        if (!c_) throw error(KFK_ERR_NOMEM, "kfk_conf_new");
    }
    conf(conf &&) noexcept = default;
    conf &operator=(conf &&) noexcept = default;
    conf dup() const {
        kfk_conf *d = kfk_conf_dup(c_.get());
        if (!d) throw error(KFK_ERR_NOMEM, "kfk_conf_dup");
        return conf(d, fns_);
    }
    /* Throws kfk::error whose message names the key and the value. */
    conf &&set(std::string_view key, std::string_view value) && {
        set(key, value);
        return std::move(*this);
    }
    conf &set(std::string_view key, std::string_view value) & {
        char err[512] = "";
        detail::check(kfk_conf_set(c_.get(), std::string(key).c_str(),
                                   std::string(value).c_str(), err, sizeof err),
                      "kfk_conf_set", err);
        return *this;
    }
    conf &set(std::string_view key, std::string_view value, error_code &ec) noexcept {
        char err[512] = "";
        try {
            int rc = kfk_conf_set(c_.get(), std::string(key).c_str(), std::string(value).c_str(),
                                  err, sizeof err);
            detail::set(ec, rc, err);
        } catch (const std::bad_alloc &) {
            detail::set(ec, KFK_ERR_NOMEM);
        }
        return *this;
    }
    /* empty when unset */
    std::string_view get(std::string_view key) const {
        const char *v = kfk_conf_get(c_.get(), std::string(key).c_str());
        return v ? v : std::string_view();
    }
    /* Every known key: fn(name, default, allowed, doc); false stops. */
    static void keys(const std::function<bool(std::string_view, std::string_view,
                                              std::string_view, std::string_view)> &fn) {
        kfk_conf_keys(
            [](void *o, const char *n, const char *d, const char *a, const char *doc) {
                auto &f = *static_cast<const std::function<bool(
                    std::string_view, std::string_view, std::string_view, std::string_view)> *>(o);
                return f(n, d ? d : "", a ? a : "", doc ? doc : "") ? 0 : 1;
            },
            const_cast<void *>(static_cast<const void *>(&fn)));
    }
    conf &set_log_cb(log_fn fn) {
        fns_->log = std::move(fn);
        detail::check(kfk_conf_set_log_cb(c_.get(), detail::conf_fns::on_log, fns_.get()),
                      "kfk_conf_set_log_cb");
        return *this;
    }
    conf &set_stats_cb(stats_fn fn) {
        fns_->stats = std::move(fn);
        detail::check(kfk_conf_set_stats_cb(c_.get(), detail::conf_fns::on_stats, fns_.get()),
                      "kfk_conf_set_stats_cb");
        return *this;
    }
    conf &set_oauthbearer_token_cb(token_fn fn) {
        fns_->token = std::move(fn);
        detail::check(kfk_conf_set_oauthbearer_token_cb(c_.get(), detail::conf_fns::on_token,
                                                        fns_.get()),
                      "kfk_conf_set_oauthbearer_token_cb");
        return *this;
    }
    kfk_conf *get() const noexcept { return c_.get(); }
    kfk_conf *release() noexcept { return c_.release(); }
    std::shared_ptr<detail::conf_fns> fns() const { return fns_; }

  private:
    conf(kfk_conf *c, std::shared_ptr<detail::conf_fns> fns) : c_(c), fns_(std::move(fns)) {}
    std::unique_ptr<kfk_conf, detail::deleter<kfk_conf, kfk_conf_destroy>> c_;
    std::shared_ptr<detail::conf_fns> fns_;
};

/* --------------------------------------------------------------- producer */

/* One message to send; key, value and header values are copied by send. */
struct record {
    std::string_view topic;
    std::string_view value;
    std::string_view key;
    int32_t partition = KFK_PARTITION_ANY;
    span<kfk_header> headers;
    int64_t timestamp_ms = 0;
    void *opaque = nullptr;
};

using delivery_fn = std::function<void(const kfk_delivery &report)>;
using partitioner_fn =
    std::function<int32_t(std::string_view topic, std::string_view key, int32_t partitions)>;

class producer {
  public:
    explicit producer(conf &&c, delivery_fn on_delivery = {}, partitioner_fn partitioner = {})
        : fns_(new fns{std::move(on_delivery), std::move(partitioner), c.fns()}) {
        kfk_producer_callbacks cbs{};
        if (fns_->delivery) cbs.delivery = on_delivery_;
        if (fns_->partitioner) cbs.partitioner = on_partition_;
        cbs.opaque = fns_.get();
        char err[512] = "";
        p_.reset(kfk_producer_new(c.get(), &cbs, err, sizeof err));
        if (!p_) throw error(KFK_ERR_CONFIG, std::string("kfk_producer_new: ") + err);
        c.release();
    }
    producer(producer &&) noexcept = default;
    producer &operator=(producer &&) noexcept = default;

    void send(const record &r, int flags = KFK_SEND_COPY) {
        error_code ec;
        send(r, flags, ec);
        detail::check(ec.value, "kfk_producer_send");
    }
    void send(const record &r, int flags, error_code &ec) noexcept {
        try {
            std::string topic(r.topic); /* NUL-terminated (short names: no allocation) */
            kfk_message m{topic.c_str(), r.partition,   r.key.data(),      r.key.size(),
                          r.value.data(), r.value.size(), r.headers.data(), r.headers.len,
                          r.timestamp_ms, r.opaque};
            detail::set(ec, kfk_producer_send(p_.get(), &m, flags & ~KFK_SEND_FREE));
        } catch (const std::bad_alloc &) {
            detail::set(ec, KFK_ERR_NOMEM);
        }
    }
    int poll(int timeout_ms) noexcept { return kfk_producer_poll(p_.get(), timeout_ms); }
    int fd() const noexcept { return kfk_producer_fd(p_.get()); }
    void flush(int timeout_ms) { detail::check(flush(timeout_ms, ignore_), "kfk_producer_flush"); }
    int flush(int timeout_ms, error_code &ec) noexcept {
        detail::set(ec, kfk_producer_flush(p_.get(), timeout_ms));
        return ec.value;
    }
    void purge(int flags) { detail::check(kfk_producer_purge(p_.get(), flags), "kfk_producer_purge"); }
    void purge(int flags, error_code &ec) noexcept {
        detail::set(ec, kfk_producer_purge(p_.get(), flags));
    }
    /* 0, or the fatal error and its detail. */
    error_code fatal_error() const {
        char err[512] = "";
        error_code ec;
        detail::set(ec, kfk_producer_fatal_error(p_.get(), err, sizeof err), err);
        return ec;
    }
    error_code txn_error() const {
        char err[512] = "";
        error_code ec;
        detail::set(ec, kfk_producer_txn_error(p_.get(), err, sizeof err), err);
        return ec;
    }
    void init_transactions(int timeout_ms) {
        detail::check(kfk_producer_init_transactions(p_.get(), timeout_ms),
                      "kfk_producer_init_transactions");
    }
    void init_transactions(int timeout_ms, error_code &ec) noexcept {
        detail::set(ec, kfk_producer_init_transactions(p_.get(), timeout_ms));
    }
    void begin_transaction() {
        detail::check(kfk_producer_begin_transaction(p_.get()), "kfk_producer_begin_transaction");
    }
    void begin_transaction(error_code &ec) noexcept {
        detail::set(ec, kfk_producer_begin_transaction(p_.get()));
    }
    void send_offsets_to_transaction(const partition_list &offsets, const group_metadata &gm,
                                     int timeout_ms) {
        detail::check(kfk_producer_send_offsets_to_transaction(p_.get(), offsets.get(), gm.get(),
                                                               timeout_ms),
                      "kfk_producer_send_offsets_to_transaction");
    }
    void send_offsets_to_transaction(const partition_list &offsets, const group_metadata &gm,
                                     int timeout_ms, error_code &ec) noexcept {
        detail::set(ec, kfk_producer_send_offsets_to_transaction(p_.get(), offsets.get(),
                                                                 gm.get(), timeout_ms));
    }
    void commit_transaction(int timeout_ms) {
        detail::check(kfk_producer_commit_transaction(p_.get(), timeout_ms),
                      "kfk_producer_commit_transaction");
    }
    void commit_transaction(int timeout_ms, error_code &ec) noexcept {
        detail::set(ec, kfk_producer_commit_transaction(p_.get(), timeout_ms));
    }
    void abort_transaction(int timeout_ms) {
        detail::check(kfk_producer_abort_transaction(p_.get(), timeout_ms),
                      "kfk_producer_abort_transaction");
    }
    void abort_transaction(int timeout_ms, error_code &ec) noexcept {
        detail::set(ec, kfk_producer_abort_transaction(p_.get(), timeout_ms));
    }
    kfk_producer_stats stats() const noexcept {
        kfk_producer_stats s{};
        kfk_producer_stats_get(p_.get(), &s);
        return s;
    }
    int api_version(int api_key) const noexcept {
        return kfk_producer_api_version(p_.get(), api_key);
    }
    /* Flushes, then destroys (the handle is empty after). */
    int close(int timeout_ms) noexcept {
        int rc = kfk_producer_close(p_.get(), timeout_ms); /* reports inside may use this */
        p_.release();
        return rc;
    }
    kfk_producer *get() const noexcept { return p_.get(); }

  private:
    struct fns {
        delivery_fn delivery;
        partitioner_fn partitioner;
        std::shared_ptr<detail::conf_fns> conf; /* the conf's callables live as long */
    };
    static void on_delivery_(kfk_producer *, const kfk_delivery *d, void *o) {
        static_cast<fns *>(o)->delivery(*d);
    }
    static int32_t on_partition_(const char *t, const void *k, size_t kl, int32_t n, void *o) {
        return static_cast<fns *>(o)->partitioner(t, detail::view(k, kl), n);
    }
    /* declared first: destroyed after the producer, whose callbacks use it */
    std::unique_ptr<fns> fns_;
    std::unique_ptr<kfk_producer, detail::deleter<kfk_producer, kfk_producer_destroy>> p_;
    error_code ignore_;
};

/* ---------------------------------------------------------------- consumer */

/* A polled message or event; released when it goes. */
class message {
  public:
    message() = default;
    explicit message(kfk_consumer_message *m) noexcept : m_(m) {}
    explicit operator bool() const noexcept { return m_ != nullptr; }
    int err() const noexcept { return m_->err; }
    std::string_view topic() const noexcept { return m_->topic; }
    int32_t partition() const noexcept { return m_->partition; }
    int64_t offset() const noexcept { return m_->offset; }
    int64_t timestamp() const noexcept { return m_->timestamp; }
    int timestamp_type() const noexcept { return m_->timestamp_type; }
    int32_t leader_epoch() const noexcept { return m_->leader_epoch; }
    /* share consumer: this delivery's number (1, 2, ...); else 0 */
    int32_t delivery_count() const noexcept { return m_->delivery_count; }
    /* data() is null for a null key or value */
    std::string_view key() const noexcept { return detail::view(m_->key, m_->key_len); }
    std::string_view value() const noexcept { return detail::view(m_->value, m_->value_len); }
    span<kfk_header> headers() const noexcept { return {m_->headers, m_->header_count}; }
    const kfk_consumer_message *get() const noexcept { return m_.get(); }
    kfk_consumer_message *release() noexcept { return m_.release(); }

  private:
    std::unique_ptr<kfk_consumer_message,
                    detail::deleter<kfk_consumer_message, kfk_consumer_message_release>>
        m_;
};

using commit_fn = std::function<void(int err, const kfk_partition_list *offsets)>;
using rebalance_fn = std::function<void(int kind, const kfk_partition_list &partitions)>;
using consumer_log_fn = std::function<void(std::string_view message)>;

class consumer {
  public:
    explicit consumer(conf &&c) : fns_(new fns{{}, {}, {}, c.fns()}) {
        char err[512] = "";
        c_.reset(kfk_consumer_new(c.get(), err, sizeof err));
        if (!c_) throw error(KFK_ERR_CONFIG, std::string("kfk_consumer_new: ") + err);
        c.release();
    }
    consumer(consumer &&) noexcept = default;
    consumer &operator=(consumer &&) noexcept = default;

    /* An empty message when none came in time. */
    message poll(int timeout_ms) noexcept { return message(kfk_consumer_poll(c_.get(), timeout_ms)); }
    std::vector<message> poll_batch(int max, int timeout_ms) {
        std::vector<kfk_consumer_message *> raw(max > 0 ? static_cast<size_t>(max) : 500);
        int n = kfk_consumer_poll_batch(c_.get(), raw.data(), static_cast<int>(raw.size()),
                                        timeout_ms);
        std::vector<message> out;
        out.reserve(static_cast<size_t>(n));
        for (int i = 0; i < n; i++) out.emplace_back(raw[static_cast<size_t>(i)]);
        return out;
    }
    /* Gives a poll batch back at once (kfk_consumer_messages_release): the
     * messages are empty afterwards. */
    static void release(std::vector<message> &batch) noexcept {
        std::vector<kfk_consumer_message *> raw;
        try {
            raw.reserve(batch.size());
        } catch (...) {
            batch.clear(); /* one by one */
            return;
        }
        for (message &m : batch) raw.push_back(m.release());
        kfk_consumer_messages_release(raw.data(), static_cast<int>(raw.size()));
        batch.clear();
    }
    int fd() const noexcept { return kfk_consumer_fd(c_.get()); }

    void subscribe(const std::vector<std::string_view> &topics) {
        error_code ec;
        subscribe(topics, ec);
        detail::check(ec.value, "kfk_consumer_subscribe");
    }
    void subscribe(const std::vector<std::string_view> &topics, error_code &ec) noexcept {
        detail::set(ec, detail::with_names(kfk_consumer_subscribe, c_.get(), topics));
    }
    void unsubscribe() { detail::check(kfk_consumer_unsubscribe(c_.get()), "kfk_consumer_unsubscribe"); }
    partition_list subscription() const { return owned(kfk_consumer_subscription(c_.get())); }
    void assign(const partition_list &l) { detail::check(assign(l, ignore_), "kfk_consumer_assign"); }
    int assign(const partition_list &l, error_code &ec) noexcept {
        detail::set(ec, kfk_consumer_assign(c_.get(), l.get()));
        return ec.value;
    }
    void unassign() { detail::check(kfk_consumer_assign(c_.get(), nullptr), "kfk_consumer_assign"); }
    void assign_topics(const std::vector<std::string_view> &topics, int64_t offset, int timeout_ms) {
        detail::cstrs t(topics);
        detail::check(kfk_consumer_assign_topics(c_.get(), t.data(), t.size(), offset, timeout_ms),
                      "kfk_consumer_assign_topics");
    }
    partition_list assignment() const { return owned(kfk_consumer_assignment(c_.get())); }
    void incremental_assign(const partition_list &l) {
        detail::check(kfk_consumer_incremental_assign(c_.get(), l.get()),
                      "kfk_consumer_incremental_assign");
    }
    void incremental_unassign(const partition_list &l) {
        detail::check(kfk_consumer_incremental_unassign(c_.get(), l.get()),
                      "kfk_consumer_incremental_unassign");
    }
    void seek(std::string_view topic, int32_t partition, int64_t offset) {
        detail::check(kfk_consumer_seek(c_.get(), std::string(topic).c_str(), partition, offset),
                      "kfk_consumer_seek");
    }
    void seek_time(std::string_view topic, int32_t partition, int64_t timestamp_ms) {
        detail::check(kfk_consumer_seek_time(c_.get(), std::string(topic).c_str(), partition,
                                             timestamp_ms),
                      "kfk_consumer_seek_time");
    }
    void pause(partition_list &l) { detail::check(kfk_consumer_pause(c_.get(), l.get()), "kfk_consumer_pause"); }
    void resume(partition_list &l) { detail::check(kfk_consumer_resume(c_.get(), l.get()), "kfk_consumer_resume"); }
    void position(partition_list &l) {
        detail::check(kfk_consumer_position(c_.get(), l.get()), "kfk_consumer_position");
    }
    void committed(partition_list &l, int timeout_ms) {
        detail::check(kfk_consumer_committed(c_.get(), l.get(), timeout_ms), "kfk_consumer_committed");
    }
    void list_offsets(partition_list &l, int timeout_ms) {
        detail::check(kfk_consumer_list_offsets(c_.get(), l.get(), timeout_ms),
                      "kfk_consumer_list_offsets");
    }
    /* The partitions of topics as the cluster tells them now (see
     * kfk_consumer_topic_partitions); every topic's with all, internal ones
     * with internal too. */
    partition_list topic_partitions(const std::vector<std::string_view> &topics, int timeout_ms,
                                    bool all = false, bool internal = false) {
        detail::cstrs n(topics);
        kfk_partition_list *l = nullptr;
        detail::check(kfk_consumer_topic_partitions(c_.get(), n.data(), all ? -1 : n.size(),
                                                    internal, timeout_ms, &l),
                      "kfk_consumer_topic_partitions");
        return owned(l);
    }
    /* low and high */
    std::pair<int64_t, int64_t> watermarks(std::string_view topic, int32_t partition,
                                           int timeout_ms) {
        int64_t lo = -1, hi = -1;
        detail::check(kfk_consumer_watermarks(c_.get(), std::string(topic).c_str(), partition, &lo,
                                              &hi, timeout_ms),
                      "kfk_consumer_watermarks");
        return {lo, hi};
    }
    std::pair<int64_t, int64_t> cached_watermarks(std::string_view topic, int32_t partition) {
        int64_t lo = -1, hi = -1;
        detail::check(kfk_consumer_cached_watermarks(c_.get(), std::string(topic).c_str(),
                                                     partition, &lo, &hi),
                      "kfk_consumer_cached_watermarks");
        return {lo, hi};
    }
    int64_t lag(std::string_view topic, int32_t partition) const {
        return kfk_consumer_lag(c_.get(), std::string(topic).c_str(), partition);
    }
    kfk::group_metadata consumer_group_metadata() const {
        kfk_group_metadata *g = kfk_consumer_group_metadata(c_.get());
        if (!g) throw error(KFK_ERR_NOMEM, "kfk_consumer_group_metadata");
        return kfk::group_metadata(g);
    }
    /* offsets null: the stored ones */
    void commit(const partition_list *offsets = nullptr, bool async = false) {
        detail::check(commit(offsets, async, ignore_), "kfk_consumer_commit");
    }
    int commit(const partition_list *offsets, bool async, error_code &ec) noexcept {
        detail::set(ec, kfk_consumer_commit(c_.get(), offsets ? offsets->get() : nullptr, async));
        return ec.value;
    }
    void store_offset(const message &m) {
        detail::check(kfk_consumer_store_offset(c_.get(), m.get()), "kfk_consumer_store_offset");
    }
    void store_offsets(partition_list &l) {
        detail::check(kfk_consumer_store_offsets(c_.get(), l.get()), "kfk_consumer_store_offsets");
    }
    void task_done(const message &m) {
        detail::check(kfk_consumer_task_done(c_.get(), m.get()), "kfk_consumer_task_done");
    }
    offsets_view offsets() const {
        kfk_offsets_view *v = kfk_consumer_offsets_view(c_.get());
        if (!v) throw error(KFK_ERR_NOMEM, "kfk_consumer_offsets_view");
        return offsets_view(v);
    }
    void set_commit_cb(commit_fn fn) {
        fns_->commit = std::move(fn);
        kfk_consumer_set_commit_cb(c_.get(), fns_->commit ? on_commit_ : nullptr, fns_.get());
    }
    void set_rebalance_cb(rebalance_fn fn) {
        fns_->rebalance = std::move(fn);
        kfk_consumer_set_rebalance_cb(c_.get(), fns_->rebalance ? on_rebalance_ : nullptr,
                                      fns_.get());
    }
    void set_log_cb(consumer_log_fn fn) {
        fns_->log = std::move(fn);
        kfk_consumer_set_log_cb(c_.get(), fns_->log ? on_log_ : nullptr, fns_.get());
    }
    std::string_view rebalance_protocol() const { return kfk_consumer_rebalance_protocol(c_.get()); }
    int32_t generation() const noexcept { return kfk_consumer_generation(c_.get()); }
    kfk_consumer_stats stats() const noexcept {
        kfk_consumer_stats s{};
        kfk_consumer_stats_get(c_.get(), &s);
        return s;
    }
    int api_version(int api_key) const noexcept { return kfk_consumer_api_version(c_.get(), api_key); }
    /* Commits (auto-commit), leaves the group, destroys; the handle is empty after. */
    int close() noexcept {
        int rc = kfk_consumer_close(c_.get()); /* callbacks inside may still use this */
        c_.release();
        return rc;
    }
    kfk_consumer *get() const noexcept { return c_.get(); }

  private:
    struct fns {
        commit_fn commit;
        rebalance_fn rebalance;
        consumer_log_fn log;
        std::shared_ptr<detail::conf_fns> conf;
    };
    static partition_list owned(kfk_partition_list *l) {
        if (!l) throw error(KFK_ERR_NOMEM, "partition list");
        return partition_list(l);
    }
    static void on_commit_(kfk_consumer *, int err, const kfk_partition_list *o, void *f) {
        static_cast<fns *>(f)->commit(err, o);
    }
    static void on_rebalance_(kfk_consumer *, int kind, const kfk_partition_list *l, void *f) {
        static_cast<fns *>(f)->rebalance(kind, *l);
    }
    static void on_log_(void *f, const char *msg) { static_cast<fns *>(f)->log(msg); }
    std::unique_ptr<fns> fns_;
    std::unique_ptr<kfk_consumer, detail::deleter<kfk_consumer, kfk_consumer_destroy>> c_;
    error_code ignore_;
};

/* ---------------------------------------------------------- share consumer */

/* One acknowledgement commit's results: an element per partition, err its
 * broker result (kfk's list, valid during the call). */
using share_ack_fn = std::function<void(const kfk_partition_list &results)>;

/* A member of a share group (KIP-932; see kfk_share_consumer in kfk.h).
 * Its messages are the consumer's kfk::message, delivery_count() set. */
class share_consumer {
  public:
    explicit share_consumer(conf &&c) : fns_(new fns{{}, c.fns()}) {
        char err[512] = "";
        c_.reset(kfk_share_consumer_new(c.get(), err, sizeof err));
        if (!c_) throw error(KFK_ERR_CONFIG, std::string("kfk_share_consumer_new: ") + err);
        c.release();
    }
    share_consumer(share_consumer &&) noexcept = default;
    share_consumer &operator=(share_consumer &&) noexcept = default;

    void subscribe(const std::vector<std::string_view> &topics) {
        error_code ec;
        subscribe(topics, ec);
        detail::check(ec.value, "kfk_share_consumer_subscribe");
    }
    void subscribe(const std::vector<std::string_view> &topics, error_code &ec) noexcept {
        detail::set(ec, detail::with_names(kfk_share_consumer_subscribe, c_.get(), topics));
    }
    /* A record, or an empty message when none came in time; an event
     * (e.g. UNSUPPORTED_VERSION from a broker without share groups)
     * throws kfk::error. */
    message poll(int timeout_ms) {
        error_code ec;
        message m = poll(timeout_ms, ec);
        if (ec) throw error(ec.value, "kfk_share_consumer_poll: " + ec.message());
        return m;
    }
    /* An event comes back as a message too, its err also in ec. */
    message poll(int timeout_ms, error_code &ec) noexcept {
        message m(kfk_share_consumer_poll(c_.get(), timeout_ms));
        detail::set(ec, m ? m.err() : 0);
        if (ec && m.get()->topic) {
            try {
                ec.detail = std::string(m.topic()) + ": " + kfk_err_str(ec.value);
            } catch (...) {
            }
        }
        return m;
    }
    /* KFK_ACK_ACCEPT, KFK_ACK_RELEASE, KFK_ACK_REJECT or KFK_ACK_RENEW
     * (Kafka 4.4+) a message the last poll returned; sent by the I/O
     * thread with the next request to its leader. */
    void acknowledge(const message &m, int type = KFK_ACK_ACCEPT) {
        error_code ec;
        acknowledge(m, type, ec);
        detail::check(ec.value, "kfk_share_consumer_acknowledge");
    }
    void acknowledge(const message &m, int type, error_code &ec) noexcept {
        detail::set(ec, kfk_share_consumer_acknowledge(c_.get(), m.get(), type));
    }
    /* Sends the pending acknowledgements and waits (timeout_ms <= 0:
     * default.api.timeout.ms); the per-partition results. Throws the first
     * error; the error_code form returns the results with it. */
    partition_list commit_sync(int timeout_ms = 0) {
        error_code ec;
        partition_list results = commit_sync(timeout_ms, ec);
        detail::check(ec.value, "kfk_share_consumer_commit_sync");
        return results;
    }
    partition_list commit_sync(int timeout_ms, error_code &ec) noexcept {
        kfk_partition_list *results = nullptr;
        detail::set(ec, kfk_share_consumer_commit_sync(c_.get(), &results, timeout_ms));
        return partition_list(results);
    }
    /* The results go to the ack callback (now or in a later poll). */
    void commit_async() {
        detail::check(kfk_share_consumer_commit_async(c_.get()), "kfk_share_consumer_commit_async");
    }
    void commit_async(error_code &ec) noexcept {
        detail::set(ec, kfk_share_consumer_commit_async(c_.get()));
    }
    void set_ack_cb(share_ack_fn fn) {
        fns_->ack = std::move(fn);
        kfk_share_consumer_set_ack_cb(c_.get(), fns_->ack ? on_ack_ : nullptr, fns_.get());
    }
    /* Sends pending acknowledgements, releases the rest, leaves the group,
     * destroys; the handle is empty after. The acknowledgements' first
     * error, or 0. */
    int close() noexcept {
        int rc = kfk_share_consumer_close(c_.get()); /* the ack callback may run inside */
        c_.release();
        return rc;
    }
    kfk_share_consumer *get() const noexcept { return c_.get(); }

  private:
    struct fns {
        share_ack_fn ack;
        std::shared_ptr<detail::conf_fns> conf;
    };
    static void on_ack_(kfk_share_consumer *, const kfk_partition_list *r, void *f) {
        static_cast<fns *>(f)->ack(*r);
    }
    /* declared first: destroyed after the share consumer, whose callbacks use it */
    std::unique_ptr<fns> fns_;
    std::unique_ptr<kfk_share_consumer,
                    detail::deleter<kfk_share_consumer, kfk_share_consumer_destroy>>
        c_;
};

/* ------------------------------------------------------------------- admin */

class admin_result {
  public:
    admin_result() = default;
    explicit admin_result(kfk_admin_result *r) noexcept : r_(r) {}
    explicit operator bool() const noexcept { return r_ != nullptr; }
    const kfk_admin_result *operator->() const noexcept { return r_.get(); }
    const kfk_admin_result &operator*() const noexcept { return *r_; }
    kfk_admin_result *get() const noexcept { return r_.get(); }

  private:
    std::unique_ptr<kfk_admin_result, detail::deleter<kfk_admin_result, kfk_admin_result_destroy>>
        r_;
};

/* With a callback an operation returns an empty result at once and the
 * callback gets it later (see kfk_admin_cb); without, it waits. */
using admin_fn = std::function<void(admin_result result)>;

class admin {
  public:
    explicit admin(conf &&c) : conf_fns_(c.fns()) {
        char err[512] = "";
        a_.reset(kfk_admin_new(c.get(), err, sizeof err));
        if (!a_) throw error(KFK_ERR_CONFIG, std::string("kfk_admin_new: ") + err);
        c.release();
    }
    admin(admin &&) noexcept = default;
    admin &operator=(admin &&) noexcept = default;

    int api_version(int api_key) const noexcept { return kfk_admin_api_version(a_.get(), api_key); }
    int fd() noexcept { return kfk_admin_fd(a_.get()); }
    int poll(int timeout_ms) noexcept { return kfk_admin_poll(a_.get(), timeout_ms); }

    admin_result create_topics(span<kfk_new_topic> t, const kfk_admin_options *o = nullptr,
                               admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_create_topics(a_.get(), t.data(), t.size(), o, f, x);
        });
    }
    admin_result delete_topics(const std::vector<std::string_view> &names,
                               const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        detail::cstrs n(names);
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_delete_topics(a_.get(), n.data(), n.size(), o, f, x);
        });
    }
    admin_result list_topics(bool internal, const kfk_admin_options *o = nullptr,
                             admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_list_topics(a_.get(), internal, o, f, x);
        });
    }
    admin_result describe_topics(const std::vector<std::string_view> &names,
                                 const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        detail::cstrs n(names);
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_describe_topics(a_.get(), n.data(), n.size(), o, f, x);
        });
    }
    admin_result metadata(const std::vector<std::string_view> &names, bool allow_auto_create,
                          const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        detail::cstrs n(names);
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_metadata(a_.get(), n.data(), n.size(), allow_auto_create, o, f, x);
        });
    }
    admin_result create_partitions(span<kfk_new_partitions> p,
                                   const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_create_partitions(a_.get(), p.data(), p.size(), o, f, x);
        });
    }
    admin_result list_offsets(const partition_list &l, const kfk_admin_options *o = nullptr,
                              admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_list_offsets(a_.get(), l.get(), o, f, x);
        });
    }
    admin_result delete_records(const partition_list &l, const kfk_admin_options *o = nullptr,
                                admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_delete_records(a_.get(), l.get(), o, f, x);
        });
    }
    admin_result elect_leaders(const partition_list &l, bool unclean,
                               const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_elect_leaders(a_.get(), l.get(), unclean, o, f, x);
        });
    }
    admin_result describe_configs(span<kfk_config_resource> r,
                                  const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_describe_configs(a_.get(), r.data(), r.size(), o, f, x);
        });
    }
    admin_result alter_configs(span<kfk_config_op> ops, const kfk_admin_options *o = nullptr,
                               admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_alter_configs(a_.get(), ops.data(), ops.size(), o, f, x);
        });
    }
    admin_result describe_cluster(const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_describe_cluster(a_.get(), o, f, x);
        });
    }
    admin_result list_groups(const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_list_groups(a_.get(), o, f, x);
        });
    }
    admin_result describe_groups(const std::vector<std::string_view> &groups,
                                 const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        detail::cstrs g(groups);
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_describe_groups(a_.get(), g.data(), g.size(), o, f, x);
        });
    }
    admin_result delete_groups(const std::vector<std::string_view> &groups,
                               const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        detail::cstrs g(groups);
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_delete_groups(a_.get(), g.data(), g.size(), o, f, x);
        });
    }
    /* l null: every partition the group committed */
    admin_result list_group_offsets(std::string_view group, const partition_list *l = nullptr,
                                    const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        std::string g(group);
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_list_group_offsets(a_.get(), g.c_str(), l ? l->get() : nullptr, o,
                                                f, x);
        });
    }
    admin_result alter_group_offsets(std::string_view group, const partition_list &l,
                                     const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        std::string g(group);
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_alter_group_offsets(a_.get(), g.c_str(), l.get(), o, f, x);
        });
    }
    admin_result delete_group_offsets(std::string_view group, const partition_list &l,
                                      const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        std::string g(group);
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_delete_group_offsets(a_.get(), g.c_str(), l.get(), o, f, x);
        });
    }
    admin_result list_share_groups(const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_list_share_groups(a_.get(), o, f, x);
        });
    }
    admin_result describe_share_groups(const std::vector<std::string_view> &groups,
                                       const kfk_admin_options *o = nullptr, admin_fn cb = {}) {
        detail::cstrs g(groups);
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_describe_share_groups(a_.get(), g.data(), g.size(), o, f, x);
        });
    }
    /* l null: every partition the share group has a start offset for */
    admin_result list_share_group_offsets(std::string_view group,
                                          const partition_list *l = nullptr,
                                          const kfk_admin_options *o = nullptr,
                                          admin_fn cb = {}) {
        std::string g(group);
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_list_share_group_offsets(a_.get(), g.c_str(),
                                                      l ? l->get() : nullptr, o, f, x);
        });
    }
    admin_result alter_share_group_offsets(std::string_view group, const partition_list &l,
                                           const kfk_admin_options *o = nullptr,
                                           admin_fn cb = {}) {
        std::string g(group);
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_alter_share_group_offsets(a_.get(), g.c_str(), l.get(), o, f, x);
        });
    }
    admin_result delete_share_group_offsets(std::string_view group,
                                            const std::vector<std::string_view> &topics,
                                            const kfk_admin_options *o = nullptr,
                                            admin_fn cb = {}) {
        std::string g(group);
        detail::cstrs t(topics);
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_delete_share_group_offsets(a_.get(), g.c_str(), t.data(), t.size(),
                                                        o, f, x);
        });
    }
    admin_result group_lag(std::string_view group, const kfk_admin_options *o = nullptr,
                           admin_fn cb = {}) {
        std::string g(group);
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_group_lag(a_.get(), g.c_str(), o, f, x);
        });
    }
    admin_result create_acls(span<kfk_acl> acls, const kfk_admin_options *o = nullptr,
                             admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_create_acls(a_.get(), acls.data(), acls.size(), o, f, x);
        });
    }
    admin_result describe_acls(const kfk_acl &filter, const kfk_admin_options *o = nullptr,
                               admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_describe_acls(a_.get(), &filter, o, f, x);
        });
    }
    admin_result delete_acls(span<kfk_acl> filters, const kfk_admin_options *o = nullptr,
                             admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_delete_acls(a_.get(), filters.data(), filters.size(), o, f, x);
        });
    }
    /* With a password, sets the user's credential; with none, deletes it. */
    admin_result alter_user_scram_credentials(span<kfk_scram_credential_op> ops,
                                              const kfk_admin_options *o = nullptr,
                                              admin_fn cb = {}) {
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_alter_user_scram_credentials(a_.get(), ops.data(), ops.size(), o, f,
                                                          x);
        });
    }
    /* users empty: every user with a credential */
    admin_result describe_user_scram_credentials(const std::vector<std::string_view> &users,
                                                 const kfk_admin_options *o = nullptr,
                                                 admin_fn cb = {}) {
        detail::cstrs u(users);
        return run(std::move(cb), [&](kfk_admin_cb f, void *x) {
            return kfk_admin_describe_user_scram_credentials(a_.get(), u.data(), u.size(), o, f,
                                                             x);
        });
    }
    kfk_admin *get() const noexcept { return a_.get(); }

  private:
    static void on_result(kfk_admin_result *r, void *o) {
        std::unique_ptr<admin_fn> fn(static_cast<admin_fn *>(o));
        (*fn)(admin_result(r));
    }
    /* Synchronous without cb (a null result only when out of memory). */
    template <class Call> admin_result run(admin_fn cb, Call call) {
        if (!cb) {
            kfk_admin_result *r = call(nullptr, nullptr);
            if (!r) throw error(KFK_ERR_NOMEM, "admin operation");
            return admin_result(r);
        }
        auto *fn = new admin_fn(std::move(cb)); /* freed by on_result, which runs once */
        call(on_result, fn);
        return admin_result();
    }
    std::shared_ptr<detail::conf_fns> conf_fns_;
    std::unique_ptr<kfk_admin, detail::deleter<kfk_admin, kfk_admin_destroy>> a_;
};

} // namespace kfk

#endif
