/* The one piece of sockffi's C that talks to Python, compiled only into the
   extension (ahead of the rest of csrc/): a cell dropped while it still owned a
   socket has just closed it, and now warns, as an unclosed socket.socket does,
   with what the socket was (described before the close). Closing comes first,
   so a warning turned into an error (-W error) can never keep the socket open;
   the error is then reported as unraisable, as for any exception in a
   finalizer. cffi released the GIL around the C call that got here, so it is
   taken again for the warning. */
static void sf_warn_unclosed(const char *what)
{
    PyGILState_STATE state = PyGILState_Ensure();
    char text[400];
    PyOS_snprintf(text, sizeof text, "unclosed %s: dropped without close()", what);
    if (PyErr_WarnEx(PyExc_ResourceWarning, text, 1) < 0)
        PyErr_WriteUnraisable(NULL);
    PyGILState_Release(state);
}
#define SF_UNCLOSED_HOOK sf_warn_unclosed
