#pragma once
// Non-variadic wrappers around libcurl's variadic setopt/getinfo calls, which Swift cannot
// call. Each wrapper passes its argument with the exact C type libcurl reads for that
// option class (long, pointer, curl_off_t, function pointer): passing the wrong width
// through a variadic call is undefined behaviour, so the Swift side picks the wrapper by
// the option's documented type.

#include <curl/curl.h>

#pragma clang assume_nonnull begin

/// Signature of CURLOPT_WRITEFUNCTION / CURLOPT_HEADERFUNCTION callbacks.
typedef size_t (*gwcurl_data_callback)(char *data, size_t size, size_t count, void *_Nullable userdata);

// MARK: easy handle options
CURLcode gwcurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode gwcurl_easy_setopt_pointer(CURL *handle, CURLoption option, const void *_Nullable value);
CURLcode gwcurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode gwcurl_easy_setopt_data_callback(CURL *handle, CURLoption option, gwcurl_data_callback _Nullable callback);

// MARK: easy handle information
CURLcode gwcurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode gwcurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode gwcurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode gwcurl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void *_Nullable *_Nonnull value);

// MARK: multi handle options
/// Signature of CURLMOPT_SOCKETFUNCTION callbacks.
typedef int (*gwcurl_socket_callback)(CURL *easy, curl_socket_t socket, int what, void *_Nullable userp, void *_Nullable socketp);
/// Signature of CURLMOPT_TIMERFUNCTION callbacks.
typedef int (*gwcurl_timer_callback)(CURLM *multi, long timeout_ms, void *_Nullable userp);

CURLMcode gwcurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);
CURLMcode gwcurl_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *_Nullable value);
CURLMcode gwcurl_multi_setopt_socket_callback(CURLM *multi, gwcurl_socket_callback _Nullable callback);
CURLMcode gwcurl_multi_setopt_timer_callback(CURLM *multi, gwcurl_timer_callback _Nullable callback);

// MARK: CURLMsg accessors (the result sits in a union Swift imports awkwardly)
CURLMSG gwcurl_msg_kind(const CURLMsg *message);
CURL *_Nullable gwcurl_msg_easy_handle(const CURLMsg *message);
CURLcode gwcurl_msg_result(const CURLMsg *message);

/// Names the calling thread (at most 15 bytes are kept on Linux) for top, perf and /proc.
void gwcurl_name_this_thread(const char *name);

#pragma clang assume_nonnull end
