#include "socket_table.h"

#include <stdlib.h>
#include <string.h>

evm_socket *evm_socket_table_get(const evm_socket_table *t, curl_socket_t fd) {
  if (fd < 0 || (size_t)fd >= t->capacity) return NULL;
  return t->slots[fd];
}

int evm_socket_table_put(evm_socket_table *t, evm_socket *s) {
  size_t fd = (size_t)s->fd;
  if (s->fd < 0) return -1;
  if (fd >= t->capacity) {
    /* Descriptors are small and dense (lowest free number first), so a flat
     * array indexed by them stays small; double it to keep growth rare. */
    size_t cap = t->capacity ? t->capacity : 64;
    evm_socket **slots;
    uint32_t *generations;
    while (cap <= fd) cap *= 2;
    slots = (evm_socket **)realloc(t->slots, cap * sizeof *slots);
    if (!slots) return -1;
    t->slots = slots;
    generations = (uint32_t *)realloc(t->generations, cap * sizeof *generations);
    if (!generations) return -1;
    t->generations = generations;
    memset(slots + t->capacity, 0, (cap - t->capacity) * sizeof *slots);
    memset(generations + t->capacity, 0, (cap - t->capacity) * sizeof *generations);
    t->capacity = cap;
  }
  /* Per number, so that the successor of a socket always differs from it by
   * one: a backend may keep just the low bits. */
  if (++t->generations[fd] == 0) ++t->generations[fd];
  s->generation = t->generations[fd];
  t->slots[fd] = s;
  ++t->count;
  return 0;
}

void evm_socket_table_remove(evm_socket_table *t, curl_socket_t fd) {
  if (fd < 0 || (size_t)fd >= t->capacity || !t->slots[fd]) return;
  t->slots[fd] = NULL;
  --t->count;
}

evm_socket *evm_socket_table_take(evm_socket_table *t, size_t *cursor) {
  for (; t->count && *cursor < t->capacity; ++*cursor) {
    evm_socket *s = t->slots[*cursor];
    if (s) {
      t->slots[*cursor] = NULL;
      --t->count;
      return s;
    }
  }
  return NULL;
}

void evm_socket_table_free(evm_socket_table *t) {
  free(t->slots);
  free(t->generations);
  t->slots = NULL;
  t->generations = NULL;
  t->capacity = t->count = 0;
}
