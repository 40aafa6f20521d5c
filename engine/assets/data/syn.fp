; TCP SYN signatures in p0f 3's format, for xntop's device inventory.
;
; Written for xntop from the operating systems' documented or observable SYN defaults (initial TTL, window and
; scale, option order); the format and field meanings are p0f 3's:
;   sig = ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass
; label = s|g:class:name:flavor (s = specific, g = generic, tried only when nothing specific matches).

[tcp:request]

; Linux: initial TTL 64; mss,sok,ts,nop,ws; window 10 segments (3.x: mss*20 with TCP_INIT_CWND 10 and twice the
; segment for the receive buffer) or 64240 = 44 × 1460 (4.19 and newer, tcp_rmem 131072 default).
label = s:unix:Linux:4.19 and newer
sig   = *:64:0:*:mss*44,*:mss,sok,ts,nop,ws:df,id+:0
sig   = *:64:0:*:mss*44,*:mss,sok,ts,nop,ws:df:0
label = s:unix:Linux:3.11-4.18
sig   = *:64:0:*:mss*20,*:mss,sok,ts,nop,ws:df,id+:0
label = s:unix:Linux:2.6.x-3.10
sig   = *:64:0:*:mss*10,*:mss,sok,ts,nop,ws:df,id+:0
sig   = *:64:0:*:mss*4,*:mss,sok,ts,nop,ws:df,id+:0
label = g:unix:Linux:
sig   = *:64:0:*:*,*:mss,sok,ts,nop,ws:df,id+:0
sig   = *:64:0:*:*,*:mss,nop,nop,sok,nop,ws:df,id+:0
sig   = *:64:0:*:*,*:mss,sok,ts,nop,ws::0

; Windows: initial TTL 128; mss,nop,ws,nop,nop,sok (no timestamps by default).
label = s:win:Windows:10 or 11
sig   = *:128:0:*:64240,8:mss,nop,ws,nop,nop,sok:df,id+:0
sig   = *:128:0:*:65535,8:mss,nop,ws,nop,nop,sok:df,id+:0
label = s:win:Windows:7 or 8
sig   = *:128:0:*:8192,*:mss,nop,ws,nop,nop,sok:df,id+:0
label = g:win:Windows:
sig   = *:128:0:*:*,*:mss,nop,ws,nop,nop,sok:df,id+:0
sig   = *:128:0:*:*,*:mss,nop,nop,sok:df,id+:0

; Apple: initial TTL 64; window 65535; mss,nop,ws,nop,nop,ts,sok,eol+1.
label = s:unix:macOS:
sig   = *:64:0:*:65535,*:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0
sig   = *:64:0:*:65535,*:mss,nop,ws,nop,nop,ts,sok,eol+1:df:0

; BSDs.
label = s:unix:FreeBSD:
sig   = *:64:0:*:65535,*:mss,nop,ws,sok,ts:df,id+:0
label = s:unix:OpenBSD:
sig   = *:64:0:*:16384,*:mss,nop,nop,sok,nop,ws,nop,nop,ts:df,id+:0
