#define _GNU_SOURCE
#include <pthread.h>
#include "gwcurl.h"

CURLcode gwcurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode gwcurl_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode gwcurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode gwcurl_easy_setopt_data_callback(CURL *handle, CURLoption option, gwcurl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

CURLcode gwcurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode gwcurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode gwcurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode gwcurl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLMcode gwcurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

CURLMcode gwcurl_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value) {
    return curl_multi_setopt(multi, option, value);
}

CURLMcode gwcurl_multi_setopt_socket_callback(CURLM *multi, gwcurl_socket_callback callback) {
    return curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, callback);
}

CURLMcode gwcurl_multi_setopt_timer_callback(CURLM *multi, gwcurl_timer_callback callback) {
    return curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, callback);
}

CURLMSG gwcurl_msg_kind(const CURLMsg *message) {
    return message->msg;
}

CURL *gwcurl_msg_easy_handle(const CURLMsg *message) {
    return message->easy_handle;
}

CURLcode gwcurl_msg_result(const CURLMsg *message) {
    return message->data.result;
}

void gwcurl_name_this_thread(const char *name) {
#if defined(__APPLE__)
    pthread_setname_np(name);
#else
    pthread_setname_np(pthread_self(), name);
#endif
}
