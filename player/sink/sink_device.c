/* sink_device.c - PortAudio output (placeholder until implemented). */
#include "sink/sink.h"
