/*
 * The kernel console. Output goes to one driver installed by the arch boot
 * code; anything printed before that is held in a small buffer and replayed
 * when the driver arrives, so early messages are never lost.
 */
#include "kernel/console.h"
#include "kernel/lib/format.h"

static const struct console_driver *console_driver;
static char early_buffer[2048];
static size_t early_length;

void console_register(const struct console_driver *driver)
{
    console_driver = driver;
    for (size_t i = 0; i < early_length; i++)
        console_putc(early_buffer[i]);
    early_length = 0;
}

void console_putc(char c)
{
    if (!console_driver) {
        if (early_length < sizeof(early_buffer))
            early_buffer[early_length++] = c;
        return;
    }
    if (c == '\n')
        console_driver->putc('\r');
    console_driver->putc(c);
}

void console_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        console_putc(s[i]);
}

static void emit_console(char c, void *ctx)
{
    UNUSED(ctx);
    console_putc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
    return format_v(emit_console, NULL, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}
