#ifndef RUNTIME_CMD_H
#define RUNTIME_CMD_H

/* Subcommands of the apimlite binary. Each takes the arguments after its name (argv[0] is the
 * subcommand name) and returns the process exit code: 0 ok, 1 check/test failures, 2 usage or
 * I/O errors (DESIGN.md §2). Each prints its own --help. */
int rt_cmd_check(int argc, char **argv);
int rt_cmd_eval(int argc, char **argv);
int rt_cmd_test(int argc, char **argv);
int rt_cmd_run(int argc, char **argv);
int rt_cmd_mock(int argc, char **argv);
int rt_cmd_usage(int argc, char **argv); /* cmd_usage.c */
int rt_cmd_serve(int argc, char **argv); /* cmd_serve.c */

#endif
