/* Descriptor number -> the evm_socket currently using it. The table, not the
 * socketp the multi hands back, is what decides whether an event still
 * belongs to a live socket, and it lists every socket for the detach. */
#ifndef EVMULTI_ADAPTERS_SOCKET_TABLE_H
#define EVMULTI_ADAPTERS_SOCKET_TABLE_H

#include <stddef.h>

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct evm_socket_table {
  evm_socket **slots;    /* indexed by fd */
  uint32_t *generations; /* indexed by fd: sockets that have had the number so far */
  size_t capacity;
  size_t count;
} evm_socket_table;

/* The socket using fd, or NULL. */
evm_socket *evm_socket_table_get(const evm_socket_table *t, curl_socket_t fd);
/* Records s under s->fd (the slot must be empty) and gives it the next
 * generation of that number, never 0. 0, or -1 when out of memory. */
int evm_socket_table_put(evm_socket_table *t, evm_socket *s);
/* Empties fd's slot. */
void evm_socket_table_remove(evm_socket_table *t, curl_socket_t fd);
/* Takes out and returns the next socket at or above *cursor (start at 0),
 * NULL when there is none: for tearing down. */
evm_socket *evm_socket_table_take(evm_socket_table *t, size_t *cursor);
/* Frees the table's memory (not the sockets). */
void evm_socket_table_free(evm_socket_table *t);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EVMULTI_ADAPTERS_SOCKET_TABLE_H */
