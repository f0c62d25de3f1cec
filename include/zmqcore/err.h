/*  Error numbers libzmq adds to errno's, with libzmq's values so that
    pyzmq code comparing e.errno keeps working. */
#ifndef ZMQCORE_ERR_H
#define ZMQCORE_ERR_H

#include <errno.h>

#define ZC_HAUSNUMERO 156384712

#define EFSM (ZC_HAUSNUMERO + 51)
#define ENOCOMPATPROTO (ZC_HAUSNUMERO + 52)
#define ETERM (ZC_HAUSNUMERO + 53)
#define EMTHREAD (ZC_HAUSNUMERO + 54)

#endif
