// Typed entry points over libcurl for Swift. curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are
// variadic C functions, which Swift cannot call; each wrapper here fixes one argument type.
#ifndef SAMBABENCH_CCURL_H
#define SAMBABENCH_CCURL_H

#include <curl/curl.h>

typedef size_t (*ccurl_data_callback)(char *data, size_t size, size_t count, void *userdata);
typedef int (*ccurl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                       curl_off_t ultotal, curl_off_t ulnow);

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode ccurl_easy_setopt_data_callback(CURL *handle, CURLoption option, ccurl_data_callback callback);
CURLcode ccurl_easy_setopt_xferinfo_callback(CURL *handle, ccurl_xferinfo_callback callback);

CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode ccurl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);
CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **value);

CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

typedef int (*ccurl_socket_callback)(CURL *easy, curl_socket_t socket, int what, void *userdata, void *socketdata);
typedef int (*ccurl_timer_callback)(CURLM *multi, long timeout_ms, void *userdata);

/// CURLMOPT_SOCKETFUNCTION with its CURLMOPT_SOCKETDATA, and CURLMOPT_TIMERFUNCTION with its CURLMOPT_TIMERDATA.
CURLMcode ccurl_multi_setopt_socket_callback(CURLM *multi, ccurl_socket_callback callback, void *userdata);
CURLMcode ccurl_multi_setopt_timer_callback(CURLM *multi, ccurl_timer_callback callback, void *userdata);

/// CURL_SOCKET_TIMEOUT (a macro of a macro, which Swift does not import).
static const curl_socket_t ccurl_socket_timeout = CURL_SOCKET_TIMEOUT;

/// The message's result code; CURLMsg keeps it in a union Swift cannot name.
CURLcode ccurl_msg_result(const CURLMsg *message);

#ifdef __linux__
// The transport's readiness loop on Linux: epoll, and an eventfd that other threads write to wake it. Glibc's Swift
// module exports neither, and epoll_event is a packed struct, so these wrappers speak plain ints.

/// A new epoll instance with `wake_fd` (a new non-blocking eventfd, returned through the pointer) registered for
/// reading; -1 on failure.
int ccurl_epoll_create(int *wake_fd);
/// Watches `fd` for CURL_POLL_IN, CURL_POLL_OUT or CURL_POLL_INOUT (adding or changing its registration), or stops
/// watching it for CURL_POLL_REMOVE.
int ccurl_epoll_watch(int epfd, int fd, int what);
/// Waits up to `timeout_ms` (-1: forever) for at most `max` ready descriptors; fills `fds` and `masks` (masks in
/// CURL_CSELECT_IN/OUT/ERR terms) and returns how many, 0 on timeout or interruption, -1 on error.
int ccurl_epoll_wait(int epfd, int *fds, int *masks, int max, int timeout_ms);
/// Wakes a waiting ccurl_epoll_wait through the eventfd; drains the eventfd after a wake-up.
void ccurl_eventfd_signal(int wake_fd);
void ccurl_eventfd_drain(int wake_fd);
/// Lowers the calling thread's nice value to `nice` (a higher scheduling weight); 0 on success, -1 when not
/// permitted (it then keeps its priority).
int ccurl_thread_set_nice(int nice);
/// Puts the calling thread in the real-time SCHED_FIFO class at `priority` (it then runs as soon as it is woken,
/// ahead of every ordinary thread); 0 on success, -1 when not permitted.
int ccurl_thread_set_fifo(int priority);
#endif

#endif
