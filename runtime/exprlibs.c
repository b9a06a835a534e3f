/* Registration of the class groups runtime/ adds to the expression language. */
#include "exprlibs.h"

#include "../expr/expr.h"
#include "xml.h"

int rt_expr_libs_init(void)
{
    static int done;
    if (done)
        return 0;
    if (expr_register_lib(&rt_xml_lib) < 0)
        return -1;
    expr_xml_parse_hook = rt_xml_body_parse;
    done = 1;
    return 0;
}
