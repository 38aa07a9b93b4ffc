#include "core/interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/xalloc.h"

#define MAX_GUARDED 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *guarded[MAX_GUARDED];
static int wake[2] = {-1, -1}; /* the self-pipe: the handler writes, the thread reads */
static pid_t owner;            /* the process that installed the handler */
static atomic_bool requested;
static bool handlers_set;
static sem_t watching; /* posted by the thread just before it blocks in read */
static const int SIGNALS[] = {SIGINT, SIGTERM, SIGHUP};

static void on_signal(int sig)
{
    int saved = errno;
    if (getpid() != owner) {
        /* A child forked while a folder was guarded: die as it would have. */
        signal(sig, SIG_DFL);
        raise(sig);
    } else {
        unsigned char b = (unsigned char)sig;
        ssize_t n = write(wake[1], &b, 1);
        (void)n; /* a full pipe already holds a signal */
    }
    errno = saved;
}

static void pause_briefly(void)
{
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static void *watch(void *arg)
{
    (void)arg;
    unsigned char b;
    sem_post(&watching);
    while (read(wake[0], &b, 1) != 1)
        ;
    atomic_store(&requested, true);
    pthread_mutex_lock(&lock);
    /* A write that began before the flag was set may still create a file
     * or folder: remove, wait for writes in flight, remove again. */
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < MAX_GUARDED; i++)
            if (guarded[i])
                fs_remove_tree(guarded[i]);
        pause_briefly();
    }
    int sig = b;
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    kill(getpid(), sig);
    for (;;)
        pause();
    return NULL;
}

/* Starts the thread once, with the lock held, and returns only when the
 * thread has started: a fork while a thread is starting can copy a lock the
 * thread holds (the allocator's, under ASan), and the child then hangs. */
static void start_watcher(void)
{
    if (wake[0] >= 0)
        return;
    if (pipe(wake) != 0)
        return;
    for (int i = 0; i < 2; i++) {
        fcntl(wake[i], F_SETFD, FD_CLOEXEC);
        fcntl(wake[i], F_SETFL, fcntl(wake[i], F_GETFL) | (i ? O_NONBLOCK : 0));
    }
    owner = getpid();
    sem_init(&watching, 0, 0);
    /* The thread blocks every signal (it only reads the pipe): one it left
     * unblocked, say SIGCHLD that serve blocks to read from a signalfd,
     * would be delivered to it and discarded. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, watch, NULL) == 0)
        while (sem_wait(&watching) != 0 && errno == EINTR)
            ;
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Once, with the lock held. */
static void install(void)
{
    start_watcher();
    if (handlers_set || wake[0] < 0)
        return;
    handlers_set = true;
    for (size_t i = 0; i < sizeof SIGNALS / sizeof *SIGNALS; i++) {
        struct sigaction old;
        if (sigaction(SIGNALS[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue; /* nohup, or a background job: keep ignoring */
        struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGNALS[i], &sa, NULL);
    }
}

void interrupt_init(void)
{
    pthread_mutex_lock(&lock);
    start_watcher();
    pthread_mutex_unlock(&lock);
}

void interrupt_guard(const char *path)
{
    pthread_mutex_lock(&lock);
    install();
    for (int i = 0; i < MAX_GUARDED; i++) {
        if (!guarded[i]) {
            guarded[i] = xstrdup(path);
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}

void interrupt_release(const char *path)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_GUARDED; i++) {
        if (guarded[i] && strcmp(guarded[i], path) == 0) {
            free(guarded[i]);
            guarded[i] = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}

bool interrupt_requested(void)
{
    return atomic_load(&requested);
}

void interrupt_die_with_parent(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) /* it ended before the line above */
        _exit(1);
}
