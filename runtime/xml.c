/* The System.Xml / System.Xml.Linq / System.IO (StringReader, StringWriter) class group that
 * runtime registers with the expression language (exprlibs.c). */
#include "xml.h"

static const xv_class *const classes[] = {
    &rt_xml_class_xobject,        &rt_xml_class_xnode,
    &rt_xml_class_xcontainer,     &rt_xml_class_xelement,
    &rt_xml_class_xdocument,      &rt_xml_class_xattribute,
    &rt_xml_class_xtext,          &rt_xml_class_xcdata,
    &rt_xml_class_xcomment,       &rt_xml_class_xpi,
    &rt_xml_class_xdeclaration,   &rt_xml_class_xname,
    &rt_xml_class_xnamespace,     &rt_xml_class_loadoptions,
    &rt_xml_class_saveoptions,    &rt_xml_class_xmlreader,
    &rt_xml_class_xmlnodetype,    &rt_xml_class_stringreader,
    &rt_xml_class_stringwriter,   &rt_xml_class_xmldocument,
    &rt_xml_class_xmlnode,        &rt_xml_class_xmlelement,
    &rt_xml_class_xmlattribute,   &rt_xml_class_xmltext,
    &rt_xml_class_xmlcomment,     &rt_xml_class_xmlcdata,
    &rt_xml_class_xmlattrs,       &rt_xml_class_xmlnsmgr,
    &rt_xml_class_xmlnametable,   &rt_xml_class_xmlexception,
    &rt_xml_class_xpathexception, NULL,
};

const xv_lib rt_xml_lib = { "xml", classes };
