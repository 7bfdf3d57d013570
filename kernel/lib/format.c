/*
 * The printf engine behind kprintf() and ksnprintf(). Freestanding, no
 * floating point, no allocation; host tests compare it with the C library.
 */
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"

enum length_modifier { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_PTRDIFF, LEN_INTMAX };

struct spec {
    bool left, zero, plus, space, alt;
    int width;     /* -1: none */
    int precision; /* -1: none */
    enum length_modifier len;
};

struct out {
    format_emit_fn emit;
    void *ctx;
    int count;
};

static void put(struct out *o, char c)
{
    o->emit(c, o->ctx);
    o->count++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

static void put_string(struct out *o, const struct spec *sp, const char *s)
{
    if (!s)
        s = "(null)";
    size_t len = sp->precision >= 0 ? strnlen(s, (size_t)sp->precision) : strlen(s);
    int fill = sp->width > (int)len ? sp->width - (int)len : 0;
    if (!sp->left)
        pad(o, ' ', fill);
    for (size_t i = 0; i < len; i++)
        put(o, s[i]);
    if (sp->left)
        pad(o, ' ', fill);
}

/* Emit an integer: sign/prefix, precision zeros, digits, with width padding. */
static void put_number(struct out *o, const struct spec *sp, uint64_t value, bool negative,
                       unsigned base, bool upper, const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int n = 0;
    while (value) {
        buf[n++] = digits[value % base];
        value /= base;
    }
    /* C: precision 0 with value 0 prints no digits; otherwise at least one. */
    int min_digits = sp->precision >= 0 ? sp->precision : 1;
    int zeros = min_digits > n ? min_digits - n : 0;

    char sign = 0;
    if (negative)
        sign = '-';
    else if (sp->plus)
        sign = '+';
    else if (sp->space)
        sign = ' ';
    int prefix_len = (sign ? 1 : 0) + (int)strlen(prefix);

    int body = prefix_len + zeros + n;
    int fill = sp->width > body ? sp->width - body : 0;
    bool zero_fill = sp->zero && !sp->left && sp->precision < 0;
    if (zero_fill) {
        zeros += fill;
        fill = 0;
    }
    if (!sp->left)
        pad(o, ' ', fill);
    if (sign)
        put(o, sign);
    for (const char *p = prefix; *p; p++)
        put(o, *p);
    pad(o, '0', zeros);
    while (n > 0)
        put(o, buf[--n]);
    if (sp->left)
        pad(o, ' ', fill);
}

static uint64_t fetch_unsigned(enum length_modifier len, va_list *ap)
{
    switch (len) {
    case LEN_CHAR:
        return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_SHORT:
        return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_LONG:
        return va_arg(*ap, unsigned long);
    case LEN_LLONG:
        return va_arg(*ap, unsigned long long);
    case LEN_SIZE:
        return va_arg(*ap, size_t);
    case LEN_PTRDIFF:
        return (uint64_t)va_arg(*ap, ptrdiff_t);
    case LEN_INTMAX:
        return va_arg(*ap, uintmax_t);
    case LEN_INT:
        break;
    }
    return va_arg(*ap, unsigned int);
}

static int64_t fetch_signed(enum length_modifier len, va_list *ap)
{
    switch (len) {
    case LEN_CHAR:
        return (signed char)va_arg(*ap, int);
    case LEN_SHORT:
        return (short)va_arg(*ap, int);
    case LEN_LONG:
        return va_arg(*ap, long);
    case LEN_LLONG:
        return va_arg(*ap, long long);
    case LEN_SIZE:
        return (int64_t)va_arg(*ap, size_t);
    case LEN_PTRDIFF:
        return va_arg(*ap, ptrdiff_t);
    case LEN_INTMAX:
        return va_arg(*ap, intmax_t);
    case LEN_INT:
        break;
    }
    return va_arg(*ap, int);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
    *sp = (struct spec){ .width = -1, .precision = -1, .len = LEN_INT };
    for (;; f++) {
        if (*f == '-')
            sp->left = true;
        else if (*f == '0')
            sp->zero = true;
        else if (*f == '+')
            sp->plus = true;
        else if (*f == ' ')
            sp->space = true;
        else if (*f == '#')
            sp->alt = true;
        else
            break;
    }
    if (*f == '*') {
        sp->width = va_arg(*ap, int);
        if (sp->width < 0) {
            sp->left = true;
            sp->width = -sp->width;
        }
        f++;
    } else {
        for (; *f >= '0' && *f <= '9'; f++)
            sp->width = (sp->width < 0 ? 0 : sp->width * 10) + (*f - '0');
    }
    if (*f == '.') {
        f++;
        sp->precision = 0;
        if (*f == '*') {
            sp->precision = va_arg(*ap, int);
            if (sp->precision < 0)
                sp->precision = -1;
            f++;
        } else {
            for (; *f >= '0' && *f <= '9'; f++)
                sp->precision = sp->precision * 10 + (*f - '0');
        }
    }
    switch (*f) {
    case 'h':
        sp->len = f[1] == 'h' ? LEN_CHAR : LEN_SHORT;
        f += f[1] == 'h' ? 2 : 1;
        break;
    case 'l':
        sp->len = f[1] == 'l' ? LEN_LLONG : LEN_LONG;
        f += f[1] == 'l' ? 2 : 1;
        break;
    case 'z':
        sp->len = LEN_SIZE;
        f++;
        break;
    case 't':
        sp->len = LEN_PTRDIFF;
        f++;
        break;
    case 'j':
        sp->len = LEN_INTMAX;
        f++;
        break;
    }
    return f;
}

int format_v(format_emit_fn emit, void *ctx, const char *fmt, va_list ap_in)
{
    struct out o = { emit, ctx, 0 };
    va_list ap;
    va_copy(ap, ap_in);
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        struct spec sp;
        f = parse_spec(f + 1, &sp, &ap);
        if (*f != 'd' && *f != 'i')
            sp.plus = sp.space = false; /* sign flags apply to signed conversions only */
        switch (*f) {
        case 'd':
        case 'i': {
            int64_t v = fetch_signed(sp.len, &ap);
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            put_number(&o, &sp, mag, v < 0, 10, false, "");
            break;
        }
        case 'u':
            put_number(&o, &sp, fetch_unsigned(sp.len, &ap), false, 10, false, "");
            break;
        case 'x':
        case 'X': {
            uint64_t v = fetch_unsigned(sp.len, &ap);
            const char *prefix = sp.alt && v ? (*f == 'x' ? "0x" : "0X") : "";
            put_number(&o, &sp, v, false, 16, *f == 'X', prefix);
            break;
        }
        case 'o': {
            uint64_t v = fetch_unsigned(sp.len, &ap);
            /* '#': the first digit must be 0; add one unless precision zeros already lead. */
            int digits = 0;
            for (uint64_t rest = v; rest; rest /= 8)
                digits++;
            bool lead_zero = v ? sp.precision <= digits : sp.precision == 0;
            put_number(&o, &sp, v, false, 8, false, sp.alt && lead_zero ? "0" : "");
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            put_number(&o, &sp, v, false, 16, false, "0x");
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            int fill = sp.width > 1 ? sp.width - 1 : 0;
            if (!sp.left)
                pad(&o, ' ', fill);
            put(&o, c);
            if (sp.left)
                pad(&o, ' ', fill);
            break;
        }
        case 's':
            put_string(&o, &sp, va_arg(ap, const char *));
            break;
        case '%':
            put(&o, '%');
            break;
        case '\0':
            f--; /* a lone '%' at the end: stop */
            break;
        default:
            /* Unknown conversion: show it rather than guess at its argument. */
            put(&o, '%');
            put(&o, *f);
            break;
        }
    }
    va_end(ap);
    return o.count;
}

struct buffer {
    char *buf;
    size_t size;
    size_t pos;
};

static void emit_buffer(char c, void *ctx)
{
    struct buffer *b = ctx;
    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buffer b = { buf, size, 0 };
    int n = format_v(emit_buffer, &b, fmt, ap);
    if (size)
        buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

void format_size(char *buf, size_t size, uint64_t bytes)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    unsigned unit = 0;
    uint64_t whole = bytes, rem = 0;
    while (whole >= 1024 && unit + 1 < ARRAY_SIZE(units)) {
        rem = whole % 1024;
        whole /= 1024;
        unit++;
    }
    /* Two decimals, truncated, and only when the size is not a whole number of units. */
    uint64_t hundredths = rem * 100 / 1024;
    if (hundredths == 0)
        ksnprintf(buf, size, "%llu %s", (unsigned long long)whole, units[unit]);
    else
        ksnprintf(buf, size, "%llu.%02llu %s", (unsigned long long)whole,
                  (unsigned long long)hundredths, units[unit]);
}
