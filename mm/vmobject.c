/*
 * The part of every VMObject that does not depend on its kind: the
 * reference count. Each kind frees itself through its ops->destroy when
 * the last reference goes (see mm/vmobject.h).
 */
#include "mm/vmobject.h"
#include "kernel/panic.h"

void vmobject_ref(struct vmobject *vmo)
{
    if (vmo->refcount == 0)
        panic("vmobject_ref: %s object %p is already destroyed", vmo->ops->name, (void *)vmo);
    if (vmo->refcount == UINT32_MAX)
        panic("vmobject_ref: reference count of %s object %p overflows", vmo->ops->name,
              (void *)vmo);
    vmo->refcount++;
}

void vmobject_unref(struct vmobject *vmo)
{
    if (vmo->refcount == 0)
        panic("vmobject_unref: reference count of %s object %p underflows", vmo->ops->name,
              (void *)vmo);
    if (--vmo->refcount == 0)
        vmo->ops->destroy(vmo);
}
