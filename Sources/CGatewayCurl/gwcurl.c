#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "gwcurl.h"
#if defined(__linux__)
#include <sys/epoll.h>
#else
#include <poll.h>
#endif

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

// MARK: socket watcher

#if defined(__linux__)

struct gwcurl_watcher {
    int epoll;
};

gwcurl_watcher *gwcurl_watcher_create(void) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) return NULL;
    gwcurl_watcher *watcher = malloc(sizeof *watcher);
    if (watcher == NULL) {
        close(fd);
        return NULL;
    }
    watcher->epoll = fd;
    return watcher;
}

void gwcurl_watcher_free(gwcurl_watcher *watcher) {
    close(watcher->epoll);
    free(watcher);
}

int gwcurl_watcher_sees_changes_while_waiting(void) { return 1; }

int gwcurl_watcher_set(gwcurl_watcher *watcher, int fd, int readable, int writable) {
    if (!readable && !writable) {
        // A socket curl already closed has left the set by itself.
        if (epoll_ctl(watcher->epoll, EPOLL_CTL_DEL, fd, NULL) == 0 || errno == ENOENT || errno == EBADF) return 0;
        return errno;
    }
    struct epoll_event event = {0};
    event.events = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);
    event.data.fd = fd;
    if (epoll_ctl(watcher->epoll, EPOLL_CTL_MOD, fd, &event) == 0) return 0;
    if (errno != ENOENT) return errno;
    return epoll_ctl(watcher->epoll, EPOLL_CTL_ADD, fd, &event) == 0 ? 0 : errno;
}

int gwcurl_watcher_wait(gwcurl_watcher *watcher, int *fds, int *what, int capacity, int timeout_ms) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int ready = epoll_wait(watcher->epoll, events, capacity, timeout_ms);
    if (ready < 0) return errno == EINTR ? 0 : -1;
    for (int i = 0; i < ready; i++) {
        int bits = 0;
        if (events[i].events & (EPOLLIN | EPOLLHUP)) bits |= CURL_CSELECT_IN;
        if (events[i].events & EPOLLOUT) bits |= CURL_CSELECT_OUT;
        if (events[i].events & EPOLLERR) bits |= CURL_CSELECT_ERR;
        fds[i] = events[i].data.fd;
        what[i] = bits;
    }
    return ready;
}

#else

struct gwcurl_watcher {
    pthread_mutex_t lock;
    struct pollfd *entries;
    int count;
    int capacity;
};

gwcurl_watcher *gwcurl_watcher_create(void) {
    gwcurl_watcher *watcher = calloc(1, sizeof *watcher);
    if (watcher == NULL) return NULL;
    pthread_mutex_init(&watcher->lock, NULL);
    return watcher;
}

void gwcurl_watcher_free(gwcurl_watcher *watcher) {
    pthread_mutex_destroy(&watcher->lock);
    free(watcher->entries);
    free(watcher);
}

int gwcurl_watcher_sees_changes_while_waiting(void) { return 0; }

int gwcurl_watcher_set(gwcurl_watcher *watcher, int fd, int readable, int writable) {
    short events = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
    int status = 0;
    pthread_mutex_lock(&watcher->lock);
    int index = 0;
    while (index < watcher->count && watcher->entries[index].fd != fd) index++;
    if (events == 0) {
        if (index < watcher->count) watcher->entries[index] = watcher->entries[--watcher->count];
    } else if (index < watcher->count) {
        watcher->entries[index].events = events;
    } else {
        if (watcher->count == watcher->capacity) {
            int capacity = watcher->capacity ? watcher->capacity * 2 : 16;
            struct pollfd *grown = realloc(watcher->entries, (size_t)capacity * sizeof *grown);
            if (grown == NULL) status = ENOMEM;
            else {
                watcher->entries = grown;
                watcher->capacity = capacity;
            }
        }
        if (status == 0) {
            watcher->entries[watcher->count].fd = fd;
            watcher->entries[watcher->count].events = events;
            watcher->count++;
        }
    }
    pthread_mutex_unlock(&watcher->lock);
    return status;
}

int gwcurl_watcher_wait(gwcurl_watcher *watcher, int *fds, int *what, int capacity, int timeout_ms) {
    pthread_mutex_lock(&watcher->lock);
    int count = watcher->count;
    struct pollfd *copy = malloc((size_t)(count ? count : 1) * sizeof *copy);
    if (copy == NULL) {
        pthread_mutex_unlock(&watcher->lock);
        errno = ENOMEM;
        return -1;
    }
    for (int i = 0; i < count; i++) copy[i] = (struct pollfd){ .fd = watcher->entries[i].fd, .events = watcher->entries[i].events };
    pthread_mutex_unlock(&watcher->lock);
    int ready = poll(copy, (nfds_t)count, timeout_ms);
    int found = 0;
    if (ready < 0) {
        found = errno == EINTR ? 0 : -1;
    } else {
        for (int i = 0; i < count && found < capacity; i++) {
            if (copy[i].revents == 0) continue;
            int bits = 0;
            if (copy[i].revents & (POLLIN | POLLHUP)) bits |= CURL_CSELECT_IN;
            if (copy[i].revents & POLLOUT) bits |= CURL_CSELECT_OUT;
            if (copy[i].revents & (POLLERR | POLLNVAL)) bits |= CURL_CSELECT_ERR;
            fds[found] = copy[i].fd;
            what[found] = bits;
            found++;
        }
    }
    free(copy);
    return found;
}

#endif
