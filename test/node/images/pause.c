/*
 * The node tier's pod sandbox process (the "pause" container): holds the pod's namespaces open,
 * reaps orphaned children when it is PID 1 of a shared process namespace, and exits on SIGINT or
 * SIGTERM. Built statically by test/node/harness/images.ts.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_stop(int sig) { (void)sig; stop = 1; }

static void on_child(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(int argc, char **argv) {
  (void)argv;
  if (argc > 1) {
    fputs("pause takes no arguments\n", stderr);
    return 2;
  }
  if (getpid() != 1) fputs("warning: pause should be the first process\n", stderr);
  struct sigaction sa = {0};
  sa.sa_handler = on_stop;
  if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) return 1;
  sa.sa_handler = on_child;
  sa.sa_flags = SA_NOCLDSTOP;
  if (sigaction(SIGCHLD, &sa, NULL) < 0) return 1;
  while (!stop) pause();
  return 0;
}
