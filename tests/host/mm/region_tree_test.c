/*
 * Host tests of mm/region_tree: insert, lookup and removal, the range and
 * overlap errors (which must leave the tree as it was), walking neighbours,
 * the free-range search with and without alignment, and a randomized test
 * (region_tree_model) that checks every operation against a sorted array
 * and every invariant after each step. PAGODA_SEED=<n> replays a run.
 */
#include "mm/region_tree.h"
#include <pagoda/errors.h>
#include "tests/host/host.h"
#include <pagoda/ktest.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE UINT64_C(0x1000)
#define LOWER UINT64_C(0x100000)          /* the windows of the unit tests: 256 pages */
#define UPPER (LOWER + 256 * PAGE)

static void node_set(struct region_node *n, uint64_t start, uint64_t end)
{
    n->start = start;
    n->end = end;
}

/* Insert [START, END) as N; the caller checks the result. */
static int insert(struct region_tree *tree, struct region_node *n, uint64_t start, uint64_t end)
{
    node_set(n, start, end);
    return region_tree_insert(tree, n);
}

/* The free-range search's answer, or the negated error as an impossible address. */
static uint64_t free_at(const struct region_tree *tree, uint64_t size, uint64_t align)
{
    uint64_t start = 0;
    int err = region_tree_find_free(tree, size, align, &start);
    return err ? (uint64_t)(int64_t)err : start;
}

#define FREE_ERR(e) ((uint64_t)(int64_t)(-(e)))

KTEST(region_tree, insert_find_remove)
{
    struct region_tree tree;
    struct region_node a, b, c;
    region_tree_init(&tree, LOWER, UPPER);
    KEXPECT(t, region_tree_find(&tree, LOWER) == NULL);
    KASSERT_EQ(t, insert(&tree, &b, LOWER + 8 * PAGE, LOWER + 10 * PAGE), 0);
    KASSERT_EQ(t, insert(&tree, &a, LOWER + 2 * PAGE, LOWER + 3 * PAGE), 0);
    KASSERT_EQ(t, insert(&tree, &c, LOWER + 10 * PAGE, LOWER + 20 * PAGE), 0); /* touches b */
    KASSERT(t, region_tree_check(&tree));
    KEXPECT_EQ(t, tree.count, 3);

    KEXPECT(t, region_tree_find(&tree, LOWER) == NULL);
    KEXPECT(t, region_tree_find(&tree, LOWER + 2 * PAGE - 1) == NULL);
    KEXPECT(t, region_tree_find(&tree, LOWER + 2 * PAGE) == &a);
    KEXPECT(t, region_tree_find(&tree, LOWER + 3 * PAGE - 1) == &a);
    KEXPECT(t, region_tree_find(&tree, LOWER + 3 * PAGE) == NULL); /* end is exclusive */
    KEXPECT(t, region_tree_find(&tree, LOWER + 9 * PAGE + 123) == &b);
    KEXPECT(t, region_tree_find(&tree, LOWER + 10 * PAGE - 1) == &b);
    KEXPECT(t, region_tree_find(&tree, LOWER + 10 * PAGE) == &c);
    KEXPECT(t, region_tree_find(&tree, LOWER + 20 * PAGE - 1) == &c);
    KEXPECT(t, region_tree_find(&tree, LOWER + 20 * PAGE) == NULL);
    KEXPECT(t, region_tree_find(&tree, UPPER + 5 * PAGE) == NULL);

    region_tree_remove(&tree, &b);
    KEXPECT(t, region_tree_check(&tree));
    KEXPECT_EQ(t, tree.count, 2);
    KEXPECT(t, region_tree_find(&tree, LOWER + 9 * PAGE) == NULL);
    KEXPECT(t, region_tree_find(&tree, LOWER + 10 * PAGE) == &c);
    KEXPECT(t, region_tree_find(&tree, LOWER + 2 * PAGE) == &a);
    /* The space b left is usable again: the same range goes back in. */
    KEXPECT_EQ(t, insert(&tree, &b, LOWER + 8 * PAGE, LOWER + 10 * PAGE), 0);
    KEXPECT(t, region_tree_find(&tree, LOWER + 8 * PAGE) == &b);
    region_tree_remove(&tree, &a);
    region_tree_remove(&tree, &c);
    region_tree_remove(&tree, &b);
    KEXPECT(t, region_tree_check(&tree));
    KEXPECT_EQ(t, tree.count, 0);
    KEXPECT(t, tree.root == NULL);
}

/* The tree's contents, for comparing before and after a rejected insert. */
static bool same_ranges(struct region_tree *tree, struct region_node **nodes, size_t count)
{
    if (tree->count != count || !region_tree_check(tree))
        return false;
    struct region_node *n = region_tree_first(tree);
    for (size_t i = 0; i < count; i++, n = region_tree_next(n)) {
        if (n != nodes[i] || region_tree_find(tree, nodes[i]->start) != nodes[i])
            return false;
    }
    return n == NULL;
}

KTEST(region_tree, bad_ranges_leave_tree_unchanged)
{
    struct region_tree tree;
    struct region_node a, b, x;
    region_tree_init(&tree, LOWER, UPPER);
    KASSERT_EQ(t, insert(&tree, &a, LOWER + 4 * PAGE, LOWER + 8 * PAGE), 0);
    KASSERT_EQ(t, insert(&tree, &b, LOWER + 16 * PAGE, LOWER + 20 * PAGE), 0);
    struct region_node *before[] = { &a, &b };

    static const struct {
        uint64_t start, end;
        int err;
    } cases[] = {
        { LOWER + 30 * PAGE, LOWER + 30 * PAGE, -E_RANGE },       /* empty */
        { LOWER + 31 * PAGE, LOWER + 30 * PAGE, -E_RANGE },       /* wraps */
        { UINT64_MAX - PAGE + 1, PAGE, -E_RANGE },                /* wraps through 0 */
        { LOWER - PAGE, LOWER + PAGE, -E_RANGE },                 /* starts below lower */
        { LOWER - 2 * PAGE, LOWER - PAGE, -E_RANGE },             /* wholly below */
        { UPPER - PAGE, UPPER + 1, -E_RANGE },                    /* ends above upper */
        { UPPER, UPPER + PAGE, -E_RANGE },                        /* wholly above */
        { LOWER + 4 * PAGE, LOWER + 8 * PAGE, -E_OVERLAP },       /* the same range as a */
        { LOWER + 2 * PAGE, LOWER + 4 * PAGE + 1, -E_OVERLAP },   /* a's first byte */
        { LOWER + 8 * PAGE - 1, LOWER + 9 * PAGE, -E_OVERLAP },   /* a's last byte */
        { LOWER + 5 * PAGE, LOWER + 6 * PAGE, -E_OVERLAP },       /* inside a */
        { LOWER + 3 * PAGE, LOWER + 9 * PAGE, -E_OVERLAP },       /* around a */
        { LOWER + 6 * PAGE, LOWER + 18 * PAGE, -E_OVERLAP },      /* across a and b */
        { LOWER, UPPER, -E_OVERLAP },                             /* all of the space */
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        KEXPECT_EQ(t, insert(&tree, &x, cases[i].start, cases[i].end), cases[i].err);
        KEXPECT(t, same_ranges(&tree, before, ARRAY_SIZE(before)));
    }

    /* Ranges touching a neighbour or a bound are fine. */
    struct region_node lo, mid, hi;
    KEXPECT_EQ(t, insert(&tree, &lo, LOWER, LOWER + 4 * PAGE), 0);
    KEXPECT_EQ(t, insert(&tree, &mid, LOWER + 8 * PAGE, LOWER + 16 * PAGE), 0);
    KEXPECT_EQ(t, insert(&tree, &hi, UPPER - PAGE, UPPER), 0);
    struct region_node *after[] = { &lo, &a, &mid, &b, &hi };
    KEXPECT(t, same_ranges(&tree, after, ARRAY_SIZE(after)));
}

KTEST(region_tree, neighbours_in_address_order)
{
    struct region_tree tree;
    region_tree_init(&tree, LOWER, UPPER);
    KEXPECT(t, region_tree_first(&tree) == NULL);
    KEXPECT(t, region_tree_last(&tree) == NULL);
    KEXPECT(t, region_tree_first_from(&tree, LOWER) == NULL);

    /* Inserted out of order: node i is [LOWER + 10i pages, + 5 pages). */
    enum { NODES = 20 };
    struct region_node n[NODES];
    for (size_t k = 0; k < NODES; k++) {
        size_t i = (k * 7) % NODES; /* 7 is coprime to 20: every index once */
        KASSERT_EQ(t, insert(&tree, &n[i], LOWER + 10 * i * PAGE, LOWER + (10 * i + 5) * PAGE), 0);
    }
    KASSERT(t, region_tree_check(&tree));
    KEXPECT(t, region_tree_first(&tree) == &n[0]);
    KEXPECT(t, region_tree_last(&tree) == &n[NODES - 1]);
    for (size_t i = 0; i < NODES; i++) {
        KEXPECT(t, region_tree_next(&n[i]) == (i + 1 < NODES ? &n[i + 1] : NULL));
        KEXPECT(t, region_tree_prev(&n[i]) == (i > 0 ? &n[i - 1] : NULL));
        uint64_t base = LOWER + 10 * i * PAGE;
        KEXPECT(t, region_tree_first_from(&tree, base) == &n[i]);             /* at the start */
        KEXPECT(t, region_tree_first_from(&tree, base + 5 * PAGE - 1) == &n[i]); /* last byte */
        KEXPECT(t, region_tree_first_from(&tree, base + 5 * PAGE) ==          /* in the gap */
                       (i + 1 < NODES ? &n[i + 1] : NULL));
        KEXPECT(t, region_tree_first_from(&tree, base - 1) == &n[i]);         /* gap before */
    }
    /* Walking the nodes that meet [12.5 pages in, 41 pages in): nodes 1 to 4. */
    size_t seen = 0;
    for (struct region_node *r = region_tree_first_from(&tree, LOWER + 12 * PAGE + PAGE / 2);
         r && r->start < LOWER + 41 * PAGE; r = region_tree_next(r)) {
        KEXPECT(t, r == &n[1 + seen]);
        seen++;
    }
    KEXPECT_EQ(t, seen, 4);

    KEXPECT(t, region_tree_first_from(&tree, 0) == &n[0]);
    KEXPECT(t, region_tree_first_from(&tree, UINT64_MAX) == NULL);

    /*
     * Touching neighbours: the byte before a node's start belongs to the node
     * before it. (The nodes are relinked into a new tree; the old one is done.)
     */
    struct region_tree touching;
    region_tree_init(&touching, LOWER, UPPER);
    for (size_t i = 0; i < NODES; i++)
        KASSERT_EQ(t, insert(&touching, &n[i], LOWER + i * PAGE, LOWER + (i + 1) * PAGE), 0);
    for (size_t i = 1; i < NODES; i++) {
        KEXPECT(t, region_tree_first_from(&touching, n[i].start - 1) == &n[i - 1]);
        KEXPECT(t, region_tree_find(&touching, n[i].start - 1) == &n[i - 1]);
        KEXPECT(t, region_tree_find(&touching, n[i].start) == &n[i]);
    }
}

KTEST(region_tree, stays_balanced)
{
    /* Ascending inserts are an unbalanced tree's worst case: an AVL tree stays perfect. */
    enum { LEVELS = 10, NODES = (1 << LEVELS) - 1 };
    static struct region_node n[NODES];
    struct region_tree tree;
    region_tree_init(&tree, 0, NODES * PAGE);
    for (size_t i = 0; i < NODES; i++)
        KASSERT_EQ(t, insert(&tree, &n[i], i * PAGE, i * PAGE + 1), 0);
    KASSERT(t, region_tree_check(&tree));
    KEXPECT_EQ(t, tree.root->height, LEVELS);
    /* Removing every other node from the left keeps it within the AVL bound. */
    for (size_t i = 0; i < NODES; i += 2)
        region_tree_remove(&tree, &n[i]);
    KASSERT(t, region_tree_check(&tree));
    KEXPECT_EQ(t, tree.count, NODES / 2);
    KEXPECT(t, tree.root->height <= LEVELS); /* removals never make it taller */
    for (size_t i = 1; i < NODES; i += 2)
        region_tree_remove(&tree, &n[i]);
    KEXPECT(t, region_tree_check(&tree));
    KEXPECT(t, tree.root == NULL);
}

KTEST(region_tree, find_free_arguments_and_empty_space)
{
    struct region_tree tree;
    region_tree_init(&tree, LOWER, UPPER);
    KEXPECT_EQU(t, free_at(&tree, 0, PAGE), FREE_ERR(E_INVAL));
    KEXPECT_EQU(t, free_at(&tree, PAGE, 0), FREE_ERR(E_INVAL));
    KEXPECT_EQU(t, free_at(&tree, PAGE, 3 * PAGE), FREE_ERR(E_INVAL));
    KEXPECT_EQU(t, free_at(&tree, PAGE, PAGE), LOWER);
    KEXPECT_EQU(t, free_at(&tree, 1, 1), LOWER);
    KEXPECT_EQU(t, free_at(&tree, UPPER - LOWER, PAGE), LOWER);       /* exactly all of it */
    KEXPECT_EQU(t, free_at(&tree, UPPER - LOWER + 1, 1), FREE_ERR(E_NOMEM));
    KEXPECT_EQU(t, free_at(&tree, UINT64_MAX, 1), FREE_ERR(E_NOMEM));
    /* LOWER is 1 MiB: a 2 MiB alignment must skip to 2 MiB, which is past UPPER. */
    KEXPECT_EQU(t, free_at(&tree, PAGE, 2 * MiB), FREE_ERR(E_NOMEM));
    KEXPECT_EQU(t, free_at(&tree, PAGE, MiB), LOWER);
    KEXPECT_EQU(t, free_at(&tree, PAGE, UINT64_C(1) << 63), FREE_ERR(E_NOMEM));
}

KTEST(region_tree, find_free_first_middle_and_tail_gaps)
{
    struct region_tree tree;
    struct region_node a, b, c;
    region_tree_init(&tree, LOWER, UPPER);
    /* Gaps, in pages: [0, 2) before a, [3, 6) and [8, 20) between them, the tail [30, 256). */
    KASSERT_EQ(t, insert(&tree, &a, LOWER + 2 * PAGE, LOWER + 3 * PAGE), 0);
    KASSERT_EQ(t, insert(&tree, &b, LOWER + 6 * PAGE, LOWER + 8 * PAGE), 0);
    KASSERT_EQ(t, insert(&tree, &c, LOWER + 20 * PAGE, LOWER + 30 * PAGE), 0);
    KEXPECT_EQU(t, free_at(&tree, PAGE, PAGE), LOWER);                /* the first gap */
    KEXPECT_EQU(t, free_at(&tree, 2 * PAGE, PAGE), LOWER);            /* fills the first gap */
    KEXPECT_EQU(t, free_at(&tree, 3 * PAGE, PAGE), LOWER + 3 * PAGE); /* the middle gap */
    KEXPECT_EQU(t, free_at(&tree, 4 * PAGE, PAGE), LOWER + 8 * PAGE); /* the next one */
    KEXPECT_EQU(t, free_at(&tree, 12 * PAGE, PAGE), LOWER + 8 * PAGE);
    KEXPECT_EQU(t, free_at(&tree, 13 * PAGE, PAGE), LOWER + 30 * PAGE); /* only the tail */
    KEXPECT_EQU(t, free_at(&tree, 226 * PAGE, PAGE), LOWER + 30 * PAGE); /* all of the tail */
    KEXPECT_EQU(t, free_at(&tree, 227 * PAGE, PAGE), FREE_ERR(E_NOMEM));

    /* A node at the very top leaves no tail; a node at LOWER no first gap. */
    struct region_node top, bottom;
    KASSERT_EQ(t, insert(&tree, &top, LOWER + 200 * PAGE, UPPER), 0);
    KEXPECT_EQU(t, free_at(&tree, 170 * PAGE, PAGE), LOWER + 30 * PAGE);
    KEXPECT_EQU(t, free_at(&tree, 171 * PAGE, PAGE), FREE_ERR(E_NOMEM));
    KASSERT_EQ(t, insert(&tree, &bottom, LOWER, LOWER + 2 * PAGE), 0);
    KEXPECT_EQU(t, free_at(&tree, PAGE, PAGE), LOWER + 3 * PAGE);
    KEXPECT(t, region_tree_check(&tree));

    /* Removing a node merges its space with both neighbouring gaps. */
    region_tree_remove(&tree, &b);
    KEXPECT_EQU(t, free_at(&tree, 17 * PAGE, PAGE), LOWER + 3 * PAGE);
    KEXPECT_EQU(t, free_at(&tree, 18 * PAGE, PAGE), LOWER + 30 * PAGE);
    region_tree_remove(&tree, &top);
    KEXPECT_EQU(t, free_at(&tree, 226 * PAGE, PAGE), LOWER + 30 * PAGE);
    KEXPECT(t, region_tree_check(&tree));
}

KTEST(region_tree, find_free_full_space)
{
    struct region_tree tree;
    struct region_node a, b, c;
    region_tree_init(&tree, LOWER, UPPER);
    KASSERT_EQ(t, insert(&tree, &a, LOWER, LOWER + 100 * PAGE), 0);
    KASSERT_EQ(t, insert(&tree, &c, LOWER + 101 * PAGE, UPPER), 0);
    KEXPECT_EQU(t, free_at(&tree, PAGE, PAGE), LOWER + 100 * PAGE);   /* the one page left */
    KEXPECT_EQU(t, free_at(&tree, 1, 1), LOWER + 100 * PAGE);
    KEXPECT_EQU(t, free_at(&tree, PAGE + 1, 1), FREE_ERR(E_NOMEM));
    KEXPECT_EQU(t, free_at(&tree, PAGE, 2 * PAGE), LOWER + 100 * PAGE); /* 100 is even */
    KASSERT_EQ(t, insert(&tree, &b, LOWER + 100 * PAGE, LOWER + 101 * PAGE), 0);
    KEXPECT_EQU(t, free_at(&tree, 1, 1), FREE_ERR(E_NOMEM));
    KEXPECT_EQU(t, free_at(&tree, PAGE, PAGE), FREE_ERR(E_NOMEM));
    KEXPECT(t, region_tree_check(&tree));
}

KTEST(region_tree, find_free_alignment)
{
    struct region_tree tree;
    region_tree_init(&tree, LOWER, UPPER);
    /*
     * One-page nodes at odd pages 1, 3, ..., 31 leave one-page gaps at even pages 2 ... 30
     * (and page 0); then pages 33-39 are taken, and after 40 the space is free.
     */
    enum { ODD_NODES = 16 };
    struct region_node odd[ODD_NODES], block;
    for (size_t i = 0; i < ODD_NODES; i++) {
        uint64_t page = 2 * i + 1;
        KASSERT_EQ(t, insert(&tree, &odd[i], LOWER + page * PAGE, LOWER + (page + 1) * PAGE), 0);
    }
    KASSERT_EQ(t, insert(&tree, &block, LOWER + 33 * PAGE, LOWER + 40 * PAGE), 0);
    KASSERT(t, region_tree_check(&tree));
    /* LOWER is 256 pages (1 MiB) aligned, so alignments up to that count pages from LOWER. */
    KEXPECT_EQU(t, free_at(&tree, PAGE, PAGE), LOWER);
    KEXPECT_EQU(t, free_at(&tree, PAGE, 2 * PAGE), LOWER);
    /* Two pages fit in no one-page gap, only in the tail. */
    KEXPECT_EQU(t, free_at(&tree, 2 * PAGE, PAGE), LOWER + 40 * PAGE);

    /* With page 0 taken, the one-page gaps are at pages 2, 4, ... 30 and 32. */
    struct region_node zero;
    KASSERT_EQ(t, insert(&tree, &zero, LOWER, LOWER + PAGE), 0);
    KEXPECT_EQU(t, free_at(&tree, PAGE, PAGE), LOWER + 2 * PAGE);
    KEXPECT_EQU(t, free_at(&tree, PAGE, 2 * PAGE), LOWER + 2 * PAGE);
    /* Near misses: gaps long enough but at the wrong alignment are passed over. */
    KEXPECT_EQU(t, free_at(&tree, PAGE, 4 * PAGE), LOWER + 4 * PAGE);    /* past page 2 */
    KEXPECT_EQU(t, free_at(&tree, PAGE, 16 * PAGE), LOWER + 16 * PAGE);  /* past 2 ... 14 */
    KEXPECT_EQU(t, free_at(&tree, PAGE, 32 * PAGE), LOWER + 32 * PAGE);  /* the gap before 33 */
    KEXPECT_EQU(t, free_at(&tree, PAGE, 64 * PAGE), LOWER + 64 * PAGE);  /* past them all */
    /* In the tail [40, 256): its start is 8-page aligned, not 16-page aligned. */
    KEXPECT_EQU(t, free_at(&tree, 8 * PAGE, 8 * PAGE), LOWER + 40 * PAGE);
    KEXPECT_EQU(t, free_at(&tree, 8 * PAGE, 16 * PAGE), LOWER + 48 * PAGE);
    KEXPECT_EQU(t, free_at(&tree, 216 * PAGE, PAGE), LOWER + 40 * PAGE);      /* all of it */
    KEXPECT_EQU(t, free_at(&tree, 216 * PAGE, 16 * PAGE), FREE_ERR(E_NOMEM)); /* 48 + 216 > 256 */
    KEXPECT_EQU(t, free_at(&tree, 128 * PAGE, 128 * PAGE), LOWER + 128 * PAGE);
    KEXPECT_EQU(t, free_at(&tree, 129 * PAGE, 128 * PAGE), FREE_ERR(E_NOMEM));
    KEXPECT_EQU(t, free_at(&tree, PAGE, 256 * PAGE), FREE_ERR(E_NOMEM));      /* only page 0 */
    /* Alignment below a page, and byte-sized requests, inside a gap. */
    KEXPECT_EQU(t, free_at(&tree, 3, 4), LOWER + 2 * PAGE);
    KEXPECT(t, region_tree_check(&tree));
}

KTEST(region_tree, byte_granular_and_top_of_space)
{
    /* The tree is not limited to pages, nor to small addresses. */
    struct region_tree tree;
    struct region_node a, b;
    const uint64_t top = UINT64_MAX;      /* upper is exclusive: the last byte is unusable */
    region_tree_init(&tree, 0, top);
    KASSERT_EQ(t, insert(&tree, &a, 1, 3), 0);
    KASSERT_EQ(t, insert(&tree, &b, top - 5, top), 0);
    KEXPECT_EQU(t, free_at(&tree, 1, 1), 0);
    KEXPECT_EQU(t, free_at(&tree, 2, 1), 3);
    KEXPECT_EQU(t, free_at(&tree, 2, 2), 4);
    KEXPECT_EQU(t, free_at(&tree, 1, UINT64_C(1) << 63), 0);            /* 0 is aligned */
    KEXPECT_EQU(t, free_at(&tree, 2, UINT64_C(1) << 63), UINT64_C(1) << 63);
    KEXPECT_EQU(t, free_at(&tree, top - 8, 1), 3);      /* [3, top - 5) */
    KEXPECT_EQU(t, free_at(&tree, top - 7, 1), FREE_ERR(E_NOMEM));
    KEXPECT(t, region_tree_find(&tree, top - 1) == &b);
    KEXPECT(t, region_tree_find(&tree, top) == NULL);
    KEXPECT(t, region_tree_first_from(&tree, top - 1) == &b);
    struct region_node over;
    KEXPECT_EQ(t, insert(&tree, &over, top - 1, top), -E_OVERLAP);
    region_tree_remove(&tree, &b);
    KEXPECT_EQU(t, free_at(&tree, top - 3, 1), 3);      /* [3, top) */
    KEXPECT_EQU(t, free_at(&tree, top - 2, 1), FREE_ERR(E_NOMEM));
    KEXPECT(t, region_tree_check(&tree));
}

KTEST(region_tree, check_catches_damage)
{
    /* region_tree_check is what the other tests lean on: it must see each kind of damage. */
    struct region_tree tree;
    struct region_node n[3];
    region_tree_init(&tree, LOWER, UPPER);
    for (size_t i = 0; i < 3; i++)
        KASSERT_EQ(t, insert(&tree, &n[i], LOWER + 4 * i * PAGE, LOWER + (4 * i + 2) * PAGE), 0);
    KASSERT(t, region_tree_check(&tree));
    struct region_node *root = tree.root; /* n[1], with n[0] and n[2] below it */
    KASSERT(t, root == &n[1]);

    root->gap_max++;
    KEXPECT(t, !region_tree_check(&tree));
    root->gap_max--;
    n[2].gap--;     /* and gap_max with it, so that only the walk in order can tell */
    n[2].gap_max--;
    KEXPECT(t, !region_tree_check(&tree));
    n[2].gap++;
    n[2].gap_max++;
    n[0].height = 2;
    KEXPECT(t, !region_tree_check(&tree));
    n[0].height = 1;
    n[2].parent = &n[0];
    KEXPECT(t, !region_tree_check(&tree));
    n[2].parent = &n[1];
    tree.count++;
    KEXPECT(t, !region_tree_check(&tree));
    tree.count--;
    n[2].start = n[1].end - 1; /* overlaps n[1] */
    KEXPECT(t, !region_tree_check(&tree));
    n[2].start = LOWER + 8 * PAGE;
    tree.upper = n[2].end - 1;
    KEXPECT(t, !region_tree_check(&tree));
    tree.upper = UPPER;
    KEXPECT(t, region_tree_check(&tree));

    /* A chain n[0] -> n[1] -> n[2] to the right, correct in every field but balance. */
    n[0].parent = NULL;
    n[0].left = n[1].left = n[2].left = n[2].right = NULL;
    n[0].right = &n[1];
    n[1].parent = &n[0];
    n[1].right = &n[2];
    n[2].parent = &n[1];
    n[0].height = 3;
    n[1].height = 2;
    n[2].height = 1;
    n[0].gap_max = n[1].gap_max = n[2].gap_max = 2 * PAGE;
    tree.root = &n[0];
    KEXPECT(t, !region_tree_check(&tree));
}

static void remove_twice(void)
{
    struct region_tree tree;
    struct region_node a, b;
    region_tree_init(&tree, LOWER, UPPER);
    if (insert(&tree, &a, LOWER, LOWER + PAGE) == 0 &&
        insert(&tree, &b, LOWER + PAGE, LOWER + 2 * PAGE) == 0) {
        region_tree_remove(&tree, &b);
        region_tree_remove(&tree, &b);
    }
}

static void remove_from_other_tree(void)
{
    struct region_tree one, other;
    struct region_node a, b;
    region_tree_init(&one, LOWER, UPPER);
    region_tree_init(&other, LOWER, UPPER);
    if (insert(&one, &a, LOWER, LOWER + PAGE) == 0 && insert(&other, &b, LOWER, LOWER + PAGE) == 0)
        region_tree_remove(&one, &b);
}

static void empty_window(void)
{
    struct region_tree tree;
    region_tree_init(&tree, LOWER, LOWER);
}

KTEST(region_tree, misuse_panics)
{
    KEXPECT(t, host_panics(remove_twice));
    KEXPECT(t, host_panics(remove_from_other_tree));
    KEXPECT(t, host_panics(empty_window));
}

/* --- the randomized model-based test -------------------------------------- */

#define MODEL_STEPS 20000
#define MODEL_PHASE_STEPS 2500               /* steps of filling, then of draining, ... */
#define MODEL_NODES 160
#define MODEL_LOWER UINT64_C(0x40000)
#define MODEL_SPAN UINT64_C(0x40000)        /* 256 KiB */
#define MODEL_UPPER (MODEL_LOWER + MODEL_SPAN)
#define MODEL_GRAIN UINT64_C(0x100)         /* most addresses fall on this grain */
#define MODEL_SHORT_LENGTH UINT64_C(0x1000)  /* most regions, so that many fit */
#define MODEL_MAX_LENGTH UINT64_C(0x6000)
#define MODEL_MAX_ALIGN_SHIFT 16

/* The reference: the ranges in the tree, sorted by start, beside their nodes. */
struct rt_model {
    struct region_tree tree;
    struct region_node nodes[MODEL_NODES];
    bool in_tree[MODEL_NODES];
    size_t order[MODEL_NODES];              /* indices of the nodes in the tree, by start */
    size_t count;
};

static uint64_t model_next(uint64_t *state)
{
    /* splitmix64: cheap, and every seed gives a full-period, well-mixed stream. */
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* An address around the window: mostly on the grain, sometimes any byte, sometimes outside. */
static uint64_t model_address(uint64_t *random)
{
    uint64_t r = model_next(random);
    uint64_t span = MODEL_SPAN + 2 * MODEL_GRAIN * 8; /* a little either side */
    uint64_t addr = MODEL_LOWER - MODEL_GRAIN * 8 + (r >> 8) % span;
    return (r & 3) == 0 ? addr : ALIGN_DOWN(addr, MODEL_GRAIN);
}

/* The sorted position of the first range whose end is above ADDR. */
static size_t model_first_from(const struct rt_model *m, uint64_t addr)
{
    size_t i = 0;
    while (i < m->count && m->nodes[m->order[i]].end <= addr)
        i++;
    return i;
}

static const struct region_node *model_find(const struct rt_model *m, uint64_t addr)
{
    size_t i = model_first_from(m, addr);
    if (i < m->count && m->nodes[m->order[i]].start <= addr)
        return &m->nodes[m->order[i]];
    return NULL;
}

static int model_expect_insert(const struct rt_model *m, uint64_t start, uint64_t end)
{
    if (start >= end || start < MODEL_LOWER || end > MODEL_UPPER)
        return -E_RANGE;
    for (size_t i = 0; i < m->count; i++) {
        const struct region_node *n = &m->nodes[m->order[i]];
        if (start < n->end && n->start < end)
            return -E_OVERLAP;
    }
    return 0;
}

/* Brute force over every gap, lowest first. */
static int model_find_free(const struct rt_model *m, uint64_t size, uint64_t align,
                           uint64_t *start)
{
    if (size == 0 || align == 0 || (align & (align - 1)))
        return -E_INVAL;
    uint64_t gap_start = MODEL_LOWER;
    for (size_t i = 0; i <= m->count; i++) {
        uint64_t gap_end = i < m->count ? m->nodes[m->order[i]].start : MODEL_UPPER;
        /* The first multiple of ALIGN in the gap, by counting up in ALIGN steps from 0. */
        uint64_t a = gap_start / align * align;
        if (a < gap_start)
            a += align;
        if (a >= gap_start && a <= gap_end && gap_end - a >= size) {
            *start = a;
            return 0;
        }
        if (i < m->count)
            gap_start = m->nodes[m->order[i]].end;
    }
    return -E_NOMEM;
}

static void model_add(struct rt_model *m, size_t index)
{
    size_t pos = model_first_from(m, m->nodes[index].start);
    for (size_t i = m->count; i > pos; i--)
        m->order[i] = m->order[i - 1];
    m->order[pos] = index;
    m->count++;
    m->in_tree[index] = true;
}

static void model_drop(struct rt_model *m, size_t index)
{
    size_t pos = model_first_from(m, m->nodes[index].start);
    for (size_t i = pos; i + 1 < m->count; i++)
        m->order[i] = m->order[i + 1];
    m->count--;
    m->in_tree[index] = false;
}

enum rt_op {
    RT_OP_INSERT,
    RT_OP_REMOVE,
    RT_OP_FIND,
    RT_OP_FIRST_FROM,
    RT_OP_FIND_FREE,
    RT_OP_MAP,          /* find_free, then insert a node there, as mmap will */
    RT_OP_WALK,
    RT_OP_KINDS,
};

/* One random operation against tree and model; false (and a message) on a disagreement. */
static bool model_step(struct ktest *t, struct rt_model *m, uint64_t *random, bool filling,
                       unsigned counts[])
{
    /*
     * Two weightings, alternating in phases: while filling, maps and inserts
     * outrun removals, so the window fills up (deep trees, find_free running
     * dry); while draining, removals win and the tree shrinks back.
     */
    static const enum rt_op fill_mix[] = {
        RT_OP_INSERT, RT_OP_INSERT, RT_OP_MAP, RT_OP_MAP, RT_OP_MAP, RT_OP_REMOVE,
        RT_OP_FIND, RT_OP_FIND, RT_OP_FIRST_FROM, RT_OP_FIND_FREE, RT_OP_FIND_FREE, RT_OP_WALK,
    };
    static const enum rt_op drain_mix[] = {
        RT_OP_INSERT, RT_OP_MAP, RT_OP_REMOVE, RT_OP_REMOVE, RT_OP_REMOVE, RT_OP_REMOVE,
        RT_OP_FIND, RT_OP_FIND, RT_OP_FIRST_FROM, RT_OP_FIND_FREE, RT_OP_FIND_FREE, RT_OP_WALK,
    };
    _Static_assert(ARRAY_SIZE(fill_mix) == ARRAY_SIZE(drain_mix), "one modulus for both");
    uint64_t pick = model_next(random) % ARRAY_SIZE(fill_mix);
    enum rt_op op = filling ? fill_mix[pick] : drain_mix[pick];
    counts[op]++;
    size_t index = model_next(random) % MODEL_NODES;
    switch (op) {
    case RT_OP_INSERT: {
        if (m->in_tree[index])
            return true;
        uint64_t start = model_address(random);
        uint64_t r = model_next(random);
        uint64_t length = ALIGN_UP(r % ((r >> 56) % 4 == 0 ? MODEL_MAX_LENGTH : MODEL_SHORT_LENGTH),
                                   MODEL_GRAIN);
        if ((r >> 32) % 16 == 0)
            length = (r >> 40) % MODEL_GRAIN;           /* short, odd, or empty */
        uint64_t end = (r >> 36) % 64 == 0 ? start - length : start + length; /* sometimes wraps */
        int want = model_expect_insert(m, start, end);
        node_set(&m->nodes[index], start, end);
        int got = region_tree_insert(&m->tree, &m->nodes[index]);
        if (got != want) {
            ktest_fail(t, __FILE__, __LINE__, "insert [%#llx, %#llx): %d, the model says %d",
                       (unsigned long long)start, (unsigned long long)end, got, want);
            return false;
        }
        if (got == 0)
            model_add(m, index);
        return true;
    }
    case RT_OP_REMOVE:
        if (!m->in_tree[index]) {
            if (m->count == 0)
                return true;
            index = m->order[model_next(random) % m->count];
        }
        region_tree_remove(&m->tree, &m->nodes[index]);
        model_drop(m, index);
        return true;
    case RT_OP_FIND: {
        uint64_t addr = model_address(random);
        const struct region_node *got = region_tree_find(&m->tree, addr);
        const struct region_node *want = model_find(m, addr);
        if (got != want) {
            ktest_fail(t, __FILE__, __LINE__, "find %#llx: %p, the model says %p",
                       (unsigned long long)addr, (const void *)got, (const void *)want);
            return false;
        }
        return true;
    }
    case RT_OP_FIRST_FROM: {
        uint64_t addr = model_address(random);
        size_t i = model_first_from(m, addr);
        const struct region_node *want = i < m->count ? &m->nodes[m->order[i]] : NULL;
        const struct region_node *got = region_tree_first_from(&m->tree, addr);
        if (got != want) {
            ktest_fail(t, __FILE__, __LINE__, "first_from %#llx: %p, the model says %p",
                       (unsigned long long)addr, (const void *)got, (const void *)want);
            return false;
        }
        return true;
    }
    case RT_OP_FIND_FREE:
    case RT_OP_MAP: {
        uint64_t r = model_next(random);
        uint64_t size = ALIGN_UP((r >> 8) % MODEL_SHORT_LENGTH, MODEL_GRAIN);
        if ((r & 7) == 0)
            size = r >> 40;                         /* mostly more than the window */
        if ((r & 0xf0) == 0)
            size = (r >> 12) % (2 * MODEL_GRAIN);   /* below the grain, sometimes 0 */
        uint64_t align = UINT64_C(1) << ((r >> 20) % (MODEL_MAX_ALIGN_SHIFT + 1));
        if ((r >> 26) % 32 == 0)
            align = (r >> 32) % 8;                  /* sometimes not a power of two, or 0 */
        uint64_t got_start = 0, want_start = 0;
        int got = region_tree_find_free(&m->tree, size, align, &got_start);
        int want = model_find_free(m, size, align, &want_start);
        if (got != want || (got == 0 && got_start != want_start)) {
            ktest_fail(t, __FILE__, __LINE__,
                       "find_free size %#llx align %#llx: %d at %#llx, the model says %d at %#llx",
                       (unsigned long long)size, (unsigned long long)align, got,
                       (unsigned long long)got_start, want, (unsigned long long)want_start);
            return false;
        }
        if (op == RT_OP_FIND_FREE || got != 0 || m->in_tree[index])
            return true;
        /* What find_free returned must be free: inserting there must succeed. */
        int err = insert(&m->tree, &m->nodes[index], got_start, got_start + size);
        if (err != 0 || model_expect_insert(m, got_start, got_start + size) != 0) {
            ktest_fail(t, __FILE__, __LINE__, "map at %#llx size %#llx: insert says %d",
                       (unsigned long long)got_start, (unsigned long long)size, err);
            return false;
        }
        model_add(m, index);
        return true;
    }
    case RT_OP_WALK: {
        /* Forwards and backwards through the whole tree, against the sorted model. */
        const struct region_node *n = region_tree_first(&m->tree);
        for (size_t i = 0; i < m->count; i++, n = region_tree_next(n)) {
            if (n != &m->nodes[m->order[i]]) {
                ktest_fail(t, __FILE__, __LINE__, "walk forwards: position %zu is wrong", i);
                return false;
            }
        }
        if (n != NULL) {
            ktest_fail(t, __FILE__, __LINE__, "walk forwards: a node after the last");
            return false;
        }
        n = region_tree_last(&m->tree);
        for (size_t i = m->count; i > 0; i--, n = region_tree_prev(n)) {
            if (n != &m->nodes[m->order[i - 1]]) {
                ktest_fail(t, __FILE__, __LINE__, "walk backwards: position %zu is wrong", i - 1);
                return false;
            }
        }
        if (n != NULL) {
            ktest_fail(t, __FILE__, __LINE__, "walk backwards: a node before the first");
            return false;
        }
        return true;
    }
    case RT_OP_KINDS:
        break;
    }
    return false;
}

KTEST(region_tree_model, random_operations_match_model)
{
    uint64_t random = host_test_seed(t, UINT64_C(0x7e6107f5eed));
    static struct rt_model m;
    m = (struct rt_model){ .count = 0 };
    region_tree_init(&m.tree, MODEL_LOWER, MODEL_UPPER);
    unsigned counts[RT_OP_KINDS] = { 0 };
    size_t most = 0;
    for (unsigned step = 0; step < MODEL_STEPS; step++) {
        bool filling = (step / MODEL_PHASE_STEPS) % 2 == 0;
        if (!model_step(t, &m, &random, filling, counts)) {
            ktest_note(t, "at step %u", step);
            break;
        }
        if (m.tree.count != m.count || !region_tree_check(&m.tree)) {
            ktest_fail(t, __FILE__, __LINE__, "step %u: the tree is damaged (count %zu, model %zu)",
                       step, m.tree.count, m.count);
            break;
        }
        most = MAX(most, m.count);
    }
    ktest_note(t, "%u inserts, %u maps, %u removes, %u finds, %u first_from, %u find_free, "
               "%u walks; up to %zu regions", counts[RT_OP_INSERT], counts[RT_OP_MAP],
               counts[RT_OP_REMOVE], counts[RT_OP_FIND], counts[RT_OP_FIRST_FROM],
               counts[RT_OP_FIND_FREE], counts[RT_OP_WALK], most);
}
