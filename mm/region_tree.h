/*
 * The region tree: the ordered set of an address space's regions, as
 * non-overlapping half-open ranges [start, end) inside the space's window
 * [lower, upper). It answers the two questions an address space asks all
 * the time, both in O(log n):
 *
 *   - which region contains this address (every page fault asks), and
 *   - where is the lowest free range of this size and alignment (every
 *     mapping without a fixed address asks).
 *
 * The tree is intrusive, like the seed's IntrusiveRedBlackTree: a struct
 * region_node lives inside the caller's object (struct region) and the tree
 * only links nodes, so it never allocates and insert/remove cannot fail for
 * want of memory. The owner recovers its object from a node with offsetof().
 *
 * It is an AVL tree, augmented for free-range search. Each node records the
 * free gap in front of it (from its predecessor's end, or from lower for the
 * first node) and the largest such gap in its subtree; the gap after the
 * last node (up to upper) is computed from the rightmost node when needed.
 * See region_tree.c for why AVL and for the cost of a free-range search.
 *
 * The tree takes no lock: the address space that owns it serialises calls.
 */
#pragma once

#include <pagoda/types.h>

struct region_node {
    struct region_node *left, *right, *parent;
    uint64_t start, end;        /* the range [start, end) */
    uint64_t gap;               /* free bytes between the predecessor (or lower) and start */
    uint64_t gap_max;           /* the largest gap of any node in this subtree */
    int32_t height;             /* of this subtree: a leaf is 1 */
};

struct region_tree {
    struct region_node *root;
    uint64_t lower, upper;      /* the tree covers [lower, upper) */
    size_t count;
};

/* An empty tree covering [LOWER, UPPER); LOWER < UPPER. */
void region_tree_init(struct region_tree *tree, uint64_t lower, uint64_t upper);

/*
 * Insert NODE, whose start and end the caller has set. -E_RANGE if the range
 * is empty, wraps (end < start) or leaves [lower, upper); -E_OVERLAP if it
 * overlaps a node already in the tree. On error nothing changes.
 */
int region_tree_insert(struct region_tree *tree, struct region_node *node) MUST_CHECK;

/* Take NODE, which is in TREE, out of it. Removing a node twice panics. */
void region_tree_remove(struct region_tree *tree, struct region_node *node);

/* The node whose range contains ADDR, or NULL. */
struct region_node *region_tree_find(const struct region_tree *tree, uint64_t addr);

/*
 * The first node (in address order) whose end is above ADDR: the node
 * containing ADDR if there is one, else the next one, else NULL. Walk the
 * nodes meeting [a, b) with region_tree_first_from(a) and region_tree_next()
 * while node->start < b.
 */
struct region_node *region_tree_first_from(const struct region_tree *tree, uint64_t addr);

/* The lowest node, or NULL for an empty tree. */
struct region_node *region_tree_first(const struct region_tree *tree);
/* The highest node, or NULL for an empty tree. */
struct region_node *region_tree_last(const struct region_tree *tree);
/* The node after NODE in address order, or NULL. */
struct region_node *region_tree_next(const struct region_node *node);
/* The node before NODE in address order, or NULL. */
struct region_node *region_tree_prev(const struct region_node *node);

/*
 * The lowest address A, a multiple of ALIGN, such that [A, A + SIZE) lies in
 * [lower, upper) and meets no node, in *START. -E_INVAL if SIZE is 0 or ALIGN
 * is not a power of two; -E_NOMEM if there is no such range. O(log n) when
 * every gap that is long enough also has room at its aligned start (always
 * so when the regions' bounds are multiples of ALIGN); see region_tree.c.
 */
int region_tree_find_free(const struct region_tree *tree, uint64_t size, uint64_t align,
                          uint64_t *start) MUST_CHECK;

/*
 * Check every invariant: order, no overlap, bounds, AVL balance and heights,
 * parent links, the gap fields and the count. Prints what is wrong with
 * kprintf and returns false. For tests: it visits every node.
 */
bool region_tree_check(const struct region_tree *tree);
