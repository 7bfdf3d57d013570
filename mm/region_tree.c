/*
 * The region tree (see region_tree.h): an intrusive AVL tree of
 * non-overlapping ranges, augmented with free gaps.
 *
 * Why AVL and not red-black: lookups (every page fault) vastly outnumber
 * inserts and removals (mmap, munmap), and an AVL tree is the shallower of
 * the two (height below 1.44 log2 n against 2 log2 n), so a lookup visits
 * fewer nodes. Red-black's advantage, O(1) rotations per update, buys
 * nothing here: every update already walks to the root to refresh the gap
 * augmentation, and the AVL rebalancing rides along on that same walk.
 *
 * The augmentation. node->gap is the free space in front of the node:
 * node->start minus the predecessor's end (minus lower for the first node).
 * node->gap_max is the largest gap in the node's subtree. The invariant
 * kept at all times is that every gap_max agrees with the gaps below it;
 * changing a node's gap (its predecessor changed) is followed by
 * gap_set(), which refreshes the ancestors. Rotations recompute the two
 * nodes they move. The gap after the last node is not stored: it is
 * upper minus the rightmost node's end, found in O(log n).
 *
 * The cost of region_tree_find_free(SIZE, ALIGN). The search is an
 * in-order walk that skips every subtree whose gap_max is below SIZE and
 * stops at the first gap that holds an aligned range. A gap of at least
 * SIZE + ALIGN - 1 bytes always holds one, so the only gaps it can visit
 * and pass over are "near misses": at least SIZE long, shorter than
 * SIZE + ALIGN - 1, and not holding SIZE bytes from their first multiple
 * of ALIGN. With k near misses below the answer the search costs
 * O((k + 1) log n). k is 0 whenever the regions' bounds are multiples of
 * ALIGN (page-aligned regions and a page alignment, the common case), so
 * the search is then O(log n). An exact answer cannot in general do better
 * with one number per node: whether a gap fits depends on ALIGN, which the
 * augmentation cannot anticipate.
 */
#include "mm/region_tree.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include <pagoda/errors.h>

/*
 * No AVL tree in a 64-bit address space is this tall (an AVL tree of height
 * h holds at least Fib(h + 2) - 1 nodes, more than 2^64 at h = 92): a
 * deeper walk in region_tree_check() means a cycle.
 */
#define REGION_TREE_MAX_HEIGHT 96

static inline int32_t height_of(const struct region_node *n)
{
    return n ? n->height : 0;
}

static inline uint64_t gap_max_of(const struct region_node *n)
{
    return n ? n->gap_max : 0;
}

static inline int32_t balance_of(const struct region_node *n)
{
    return height_of(n->left) - height_of(n->right);
}

static inline uint64_t subtree_gap_max(const struct region_node *n)
{
    return MAX(n->gap, MAX(gap_max_of(n->left), gap_max_of(n->right)));
}

/* Recompute N's height and gap_max from its children (which are up to date). */
static void node_update(struct region_node *n)
{
    n->height = 1 + MAX(height_of(n->left), height_of(n->right));
    n->gap_max = subtree_gap_max(n);
}

/* Make NEW take OLD's place under PARENT (or as the root). */
static void replace_child(struct region_tree *tree, struct region_node *parent,
                          struct region_node *old, struct region_node *new)
{
    if (!parent)
        tree->root = new;
    else if (parent->left == old)
        parent->left = new;
    else
        parent->right = new;
}

/* X's right child takes X's place, X becomes its left child. Returns the new subtree root. */
static struct region_node *rotate_left(struct region_tree *tree, struct region_node *x)
{
    struct region_node *y = x->right;
    x->right = y->left;
    if (y->left)
        y->left->parent = x;
    y->parent = x->parent;
    replace_child(tree, x->parent, x, y);
    y->left = x;
    x->parent = y;
    node_update(x);
    node_update(y);
    return y;
}

/* The mirror image of rotate_left(). */
static struct region_node *rotate_right(struct region_tree *tree, struct region_node *x)
{
    struct region_node *y = x->left;
    x->left = y->right;
    if (y->right)
        y->right->parent = x;
    y->parent = x->parent;
    replace_child(tree, x->parent, x, y);
    y->right = x;
    x->parent = y;
    node_update(x);
    node_update(y);
    return y;
}

/* Refresh N and restore its AVL balance; returns the root of what was N's subtree. */
static struct region_node *rebalance(struct region_tree *tree, struct region_node *n)
{
    node_update(n);
    int32_t balance = balance_of(n);
    if (balance > 1) {
        if (balance_of(n->left) < 0)
            rotate_left(tree, n->left);
        return rotate_right(tree, n);
    }
    if (balance < -1) {
        if (balance_of(n->right) > 0)
            rotate_right(tree, n->right);
        return rotate_left(tree, n);
    }
    return n;
}

/*
 * After a node was linked or unlinked below N: refresh and rebalance every
 * node from N to the root. AVL insertion could stop after one rotation, but
 * the gap_max fields above still need the walk.
 */
static void fixup_to_root(struct region_tree *tree, struct region_node *n)
{
    while (n)
        n = rebalance(tree, n)->parent;
}

/* Set N's gap and refresh gap_max above it, up to where nothing changes. */
static void gap_set(struct region_node *n, uint64_t gap)
{
    n->gap = gap;
    for (; n; n = n->parent) {
        uint64_t before = n->gap_max;
        n->gap_max = subtree_gap_max(n);
        if (n->gap_max == before)
            break;
    }
}

static struct region_node *leftmost(struct region_node *n)
{
    while (n->left)
        n = n->left;
    return n;
}

static struct region_node *rightmost(struct region_node *n)
{
    while (n->right)
        n = n->right;
    return n;
}

void region_tree_init(struct region_tree *tree, uint64_t lower, uint64_t upper)
{
    ASSERT(lower < upper);
    *tree = (struct region_tree){ .root = NULL, .lower = lower, .upper = upper, .count = 0 };
}

int region_tree_insert(struct region_tree *tree, struct region_node *node)
{
    uint64_t start = node->start, end = node->end;
    if (start >= end || start < tree->lower || end > tree->upper)
        return -E_RANGE;

    /* Find the leaf position, and the neighbours the new node will have. */
    struct region_node *parent = NULL, **link = &tree->root;
    struct region_node *pred = NULL, *succ = NULL;
    while (*link) {
        parent = *link;
        if (end <= parent->start) {
            succ = parent;
            link = &parent->left;
        } else if (start >= parent->end) {
            pred = parent;
            link = &parent->right;
        } else {
            return -E_OVERLAP;
        }
    }

    node->left = node->right = NULL;
    node->parent = parent;
    node->height = 1;
    node->gap = start - (pred ? pred->end : tree->lower);
    node->gap_max = node->gap;
    *link = node;
    tree->count++;
    fixup_to_root(tree, parent);
    if (succ)
        gap_set(succ, succ->start - end);
    return 0;
}

void region_tree_remove(struct region_tree *tree, struct region_node *node)
{
    /* NODE is linked where it says it is; a node removed already (no links) is not. */
    ASSERT(node->parent ? node->parent->left == node || node->parent->right == node
                        : tree->root == node);
    struct region_node *pred = region_tree_prev(node), *succ = region_tree_next(node);
    struct region_node *fix; /* the lowest node whose subtree changed */

    if (node->left && node->right) {
        /* The successor (leftmost on the right, no left child) takes NODE's place. */
        struct region_node *y = succ;
        if (y->parent == node) {
            fix = y;
        } else {
            fix = y->parent;
            fix->left = y->right;
            if (y->right)
                y->right->parent = fix;
            y->right = node->right;
            y->right->parent = y;
        }
        y->left = node->left;
        y->left->parent = y;
        y->parent = node->parent;
        replace_child(tree, node->parent, node, y);
    } else {
        struct region_node *child = node->left ? node->left : node->right;
        fix = node->parent;
        if (child)
            child->parent = fix;
        replace_child(tree, fix, node, child);
    }
    tree->count--;
    fixup_to_root(tree, fix);
    if (succ)
        gap_set(succ, succ->start - (pred ? pred->end : tree->lower));
    node->left = node->right = node->parent = NULL;
}

/*
 * The descent looks only at starts, down to a leaf, remembering the last
 * node that starts at or below ADDR; one check of that node's end follows.
 * Going all the way down costs about one level more than stopping at the
 * containing node, but the choice of child is a select rather than a
 * branch: random lookups mispredict nothing, and each level is about six
 * instructions on every arch (see bench/region_tree_bench.c).
 */
struct region_node *region_tree_find(const struct region_tree *tree, uint64_t addr)
{
    struct region_node *n = tree->root, *floor = NULL;
    while (n) {
        bool right = addr >= n->start;
        floor = right ? n : floor;
        n = right ? n->right : n->left;
    }
    return floor && addr < floor->end ? floor : NULL;
}

struct region_node *region_tree_first_from(const struct region_tree *tree, uint64_t addr)
{
    struct region_node *n = tree->root, *best = NULL;
    while (n) {
        if (addr >= n->end) {
            n = n->right;
        } else {
            best = n;
            if (addr >= n->start)
                break; /* N contains ADDR: everything left of it ends at or below ADDR */
            n = n->left;
        }
    }
    return best;
}

struct region_node *region_tree_first(const struct region_tree *tree)
{
    return tree->root ? leftmost(tree->root) : NULL;
}

struct region_node *region_tree_last(const struct region_tree *tree)
{
    return tree->root ? rightmost(tree->root) : NULL;
}

struct region_node *region_tree_next(const struct region_node *node)
{
    if (node->right)
        return leftmost(node->right);
    const struct region_node *child = node;
    struct region_node *n = node->parent;
    while (n && n->right == child) {
        child = n;
        n = n->parent;
    }
    return n;
}

struct region_node *region_tree_prev(const struct region_node *node)
{
    if (node->left)
        return rightmost(node->left);
    const struct region_node *child = node;
    struct region_node *n = node->parent;
    while (n && n->left == child) {
        child = n;
        n = n->parent;
    }
    return n;
}

/*
 * Whether the gap [GAP_START, GAP_END) holds SIZE bytes from its first
 * multiple of ALIGN (a power of two); if so that address goes to *START.
 */
static bool gap_fits(uint64_t gap_start, uint64_t gap_end, uint64_t size, uint64_t align,
                     uint64_t *start)
{
    uint64_t pad = (align - (gap_start & (align - 1))) & (align - 1);
    uint64_t length = gap_end - gap_start;
    if (pad > length || length - pad < size)
        return false;
    *start = gap_start + pad;
    return true;
}

int region_tree_find_free(const struct region_tree *tree, uint64_t size, uint64_t align,
                          uint64_t *start)
{
    if (size == 0 || align == 0 || (align & (align - 1)) != 0)
        return -E_INVAL;

    /*
     * In-order over the gaps in front of nodes, skipping subtrees with no gap
     * of SIZE bytes. LEFT_DONE: N's left subtree has been searched already
     * (we came back up to N from it).
     */
    const struct region_node *n = tree->root;
    bool left_done = false;
    if (n && n->gap_max < size)
        n = NULL;
    while (n) {
        if (!left_done && n->left && n->left->gap_max >= size) {
            n = n->left;
            continue;
        }
        if (n->gap >= size && gap_fits(n->start - n->gap, n->start, size, align, start))
            return 0;
        if (n->right && n->right->gap_max >= size) {
            n = n->right;
            left_done = false;
            continue;
        }
        /* N's subtree is exhausted: go up to the first ancestor reached from its left. */
        const struct region_node *child;
        do {
            child = n;
            n = n->parent;
        } while (n && n->right == child);
        left_done = true;
    }

    /* The tail: after the last node (or all of the space, when there is none). */
    uint64_t tail = tree->root ? rightmost(tree->root)->end : tree->lower;
    if (gap_fits(tail, tree->upper, size, align, start))
        return 0;
    return -E_NOMEM;
}

/* --- checking ------------------------------------------------------------ */

static void check_report(const struct region_node *n, const char *what)
{
    if (n)
        kprintf("region_tree_check: node %p [%#llx, %#llx): %s\n", (const void *)n,
                (unsigned long long)n->start, (unsigned long long)n->end, what);
    else
        kprintf("region_tree_check: %s\n", what);
}

/*
 * The shape of N's subtree: parent links, heights, balance and gap_max
 * against the stored gaps. Counts the nodes into *COUNT.
 */
static bool check_subtree(const struct region_node *n, const struct region_node *parent,
                          int depth, size_t *count)
{
    if (!n)
        return true;
    if (depth > REGION_TREE_MAX_HEIGHT) {
        check_report(n, "deeper than any AVL tree can be: a cycle?");
        return false;
    }
    if (n->parent != parent) {
        check_report(n, "parent link does not point to its parent");
        return false;
    }
    if (!check_subtree(n->left, n, depth + 1, count) ||
        !check_subtree(n->right, n, depth + 1, count))
        return false;
    (*count)++;
    bool ok = true;
    if (n->height != 1 + MAX(height_of(n->left), height_of(n->right))) {
        check_report(n, "stored height is wrong");
        ok = false;
    }
    int32_t balance = balance_of(n);
    if (balance > 1 || balance < -1) {
        check_report(n, "out of AVL balance");
        ok = false;
    }
    if (n->gap_max != subtree_gap_max(n)) {
        check_report(n, "gap_max does not match the gaps below it");
        ok = false;
    }
    return ok;
}

/* Order, overlap, bounds and each stored gap, walking in address order. */
static bool check_order(const struct region_tree *tree)
{
    uint64_t previous_end = tree->lower;
    size_t seen = 0;
    bool ok = true;
    for (const struct region_node *n = region_tree_first(tree); n; n = region_tree_next(n)) {
        if (++seen > tree->count) {
            check_report(n, "the in-order walk finds more nodes than the count");
            return false;
        }
        if (n->start >= n->end) {
            check_report(n, "empty or wrapping range");
            ok = false;
        }
        if (n->start < previous_end) {
            check_report(n, seen == 1 ? "starts below lower"
                                      : "overlaps or precedes its predecessor");
            ok = false;
            continue; /* the gap below would be meaningless */
        }
        if (n->gap != n->start - previous_end) {
            check_report(n, "stored gap is not start minus the predecessor's end");
            ok = false;
        }
        previous_end = n->end;
    }
    if (previous_end > tree->upper) {
        check_report(NULL, "the last node ends above upper");
        ok = false;
    }
    if (seen != tree->count) {
        check_report(NULL, "the in-order walk finds fewer nodes than the count");
        ok = false;
    }
    return ok;
}

bool region_tree_check(const struct region_tree *tree)
{
    if (tree->lower >= tree->upper) {
        check_report(NULL, "lower is not below upper");
        return false;
    }
    size_t count = 0;
    if (!check_subtree(tree->root, NULL, 1, &count))
        return false;
    if (count != tree->count) {
        kprintf("region_tree_check: %zu nodes in the tree, count says %zu\n", count,
                tree->count);
        return false;
    }
    return check_order(tree);
}
