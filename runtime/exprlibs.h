#ifndef RUNTIME_EXPRLIBS_H
#define RUNTIME_EXPRLIBS_H

/* The expression-language classes runtime/ implements (System.Xml and System.Xml.Linq over
 * libxml2, System.IO's StringReader/StringWriter) and their registration. */

/* Registers every host-implemented class group with expr_register_lib() and sets the
 * IMessageBody.As<XDocument|XElement|XNode>() parse hook. Call at startup, before any
 * expr_compile, from one thread; calling it again does nothing. Returns 0, or -1 when the
 * expression library's table of extra groups is full. */
int rt_expr_libs_init(void);

#endif
