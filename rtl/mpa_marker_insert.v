// SPDX-License-Identifier: MIT
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * MPA marker insertion (RFC 5044 §4.3), transmit side, one beat per cycle.
 *
 * Input: one FPDU per packet, without markers, ending with its 4-byte CRC field (a
 * placeholder; crc32c in insert mode fills it afterwards, since the CRC covers the markers).
 * s_pos carries, with the first beat, the FPDU's stream offset mod 512 (bytes since the first
 * octet of this direction's first FPDU; a multiple of 4). Every packet starts in lane 0 and is a
 * multiple of 4 bytes long (every FPDU is), so the block works on 32-bit words.
 *
 * Output: the same FPDU with a marker {16'h0, FPDUPTR} (big-endian) in front of every word that
 * sits at a stream offset = 0 mod 512, including in front of the first word (FPDUPTR = 0, the
 * marker leads the FPDU) and in front of the CRC, never after the CRC. FPDUPTR is the distance
 * from the ULPDU_Length field to the marker, mod 2^16 (the golden model's fpduptr_for()).
 *
 * Each marker makes the output one word longer than the input. Words that do not fit in the
 * current output beat wait in a DATA_BYTES buffer; when it is full, or holds the tail of a
 * packet, s_ready drops for a cycle. The output therefore runs at one beat per cycle whenever
 * input is available: throughput is set by the (longer) output stream.
 *
 * Latency: a beat's first word leaves 1 cycle after the beat is accepted when the buffer is
 * empty (always the case for the first beat of a packet).
 */
module mpa_marker_insert #
(
    // Bytes per beat: a multiple of 4, 8..256 (at most one marker per beat)
    parameter DATA_BYTES = 8
)
(
    input  wire                    clk,
    input  wire                    rst,

    /* configuration */
    input  wire                    cfg_markers,   // 0: pass through unchanged

    /* input stream: FPDUs without markers */
    input  wire [DATA_BYTES*8-1:0] s_data,
    input  wire [DATA_BYTES-1:0]   s_keep,
    input  wire                    s_sop,
    input  wire                    s_eop,
    input  wire [8:0]              s_pos,         // stream offset of the FPDU mod 512, with s_sop
    input  wire                    s_valid,
    output wire                    s_ready,

    /* output stream: FPDUs with markers */
    output wire [DATA_BYTES*8-1:0] m_data,
    output wire [DATA_BYTES-1:0]   m_keep,
    output wire                    m_sop,
    output wire                    m_eop,
    output wire                    m_valid,
    input  wire                    m_ready
);

localparam NW = DATA_BYTES / 4;               // 32-bit words per beat
localparam DW = DATA_BYTES * 8;
localparam CW = $clog2(2*NW + 1);             // word counts 0..2*NW

initial begin
    if (DATA_BYTES < 8 || DATA_BYTES > 256 || DATA_BYTES % 4 != 0) begin
        $error("Error: DATA_BYTES must be a multiple of 4 in 8..256 (instance %m)");
        $finish;
    end
end

// Leftover words of the current packet (never words of two packets).
reg [DW-1:0]    buf_reg = {DW{1'b0}};
reg [CW-1:0]    buf_cnt_reg = {CW{1'b0}};
reg             buf_eop_reg = 1'b0;           // the buffer holds the packet's last word
// Per-packet output state
reg [6:0]       posw_reg = 7'd0;              // stream word offset mod 128 of the next output word
reg [13:0]      pkt_woff_reg = 14'd0;         // output words of this packet so far (mod 2^14)
reg             lead_reg = 1'b0;              // this packet began with a marker
reg             first_reg = 1'b1;             // next output beat is a packet's first

reg [DW-1:0]         m_data_reg = {DW{1'b0}};
reg [DATA_BYTES-1:0] m_keep_reg = {DATA_BYTES{1'b0}};
reg                  m_sop_reg = 1'b0, m_eop_reg = 1'b0, m_valid_reg = 1'b0;

assign m_data  = m_data_reg;
assign m_keep  = m_keep_reg;
assign m_sop   = m_sop_reg;
assign m_eop   = m_eop_reg;
assign m_valid = m_valid_reg;

wire load_ok = m_ready || !m_valid_reg;
assign s_ready = load_ok && !buf_eop_reg && (buf_cnt_reg < NW[CW-1:0]);
wire take_in = s_valid && s_ready;

// Words in this input beat (keep is contiguous, whole words)
reg [CW-1:0] in_cnt;
integer i;
always @* begin
    in_cnt = {CW{1'b0}};
    for (i = 0; i < NW; i = i + 1)
        if (|s_keep[4*i +: 4])
            in_cnt = i[CW-1:0] + 1'b1;
    if (!take_in)
        in_cnt = {CW{1'b0}};
end

// Buffered words followed by the input words
wire [CW-1:0] avail = buf_cnt_reg + in_cnt;
wire [31:0]   buf_cnt_i = {{32-CW{1'b0}}, buf_cnt_reg};
reg  [2*DW-1:0] vec;
always @* begin
    vec = {2*DW{1'b0}};
    for (i = 0; i < 2*NW; i = i + 1) begin
        if (i < buf_cnt_i)
            vec[32*i +: 32] = buf_reg[32*i +: 32];
        else if (i - buf_cnt_i < NW)
            vec[32*i +: 32] = s_data[32*(i - buf_cnt_i) +: 32];
    end
end

wire       starting = take_in && s_sop;       // the buffer is empty then
wire [6:0] posw     = starting ? s_pos[8:2] : posw_reg;
wire       first    = first_reg;
wire [13:0] pkt_woff = first ? 14'd0 : pkt_woff_reg;
wire       lead     = first ? 1'b0 : lead_reg;
wire       end_in   = buf_eop_reg || (take_in && s_eop);

// The next marker position as a word slot of this output beat
wire [6:0] jm7 = 7'd0 - posw;
localparam [6:0] NW7 = NW[6:0];
wire       mk_slot = cfg_markers && (jm7 < NW7);
wire [CW-1:0] jm = jm7[CW-1:0];
wire [CW-1:0] NWC = NW[CW-1:0];
// With the end in view, a marker goes in only if a word of this packet follows it
wire       mk = mk_slot && (!end_in || jm < avail);
wire [CW-1:0] need = mk ? NWC - 1'b1 : NWC;
wire       emit = load_ok && (end_in ? (avail != 0) : (avail >= need));
wire [CW-1:0] used = (avail < need) ? avail : need;
wire       out_eop = end_in && (avail <= need);

// FPDUPTR: bytes from the ULPDU_Length field (after a leading marker) to this marker
wire [13:0] mk_woff = pkt_woff + {{14-CW{1'b0}}, jm};
wire        mk_lead = first && (jm == 0);
wire [15:0] fpduptr = mk_lead ? 16'd0 : {mk_woff - {13'd0, lead}, 2'b00};
wire [31:0] marker_word = {fpduptr[7:0], fpduptr[15:8], 16'h0000};   // wire bytes 00 00 hi lo

reg [DW-1:0]         out_data;
reg [DATA_BYTES-1:0] out_keep;
reg [DW-1:0]         left_data;
wire [CW-1:0]        out_words = used + {{CW-1{1'b0}}, mk};
wire [31:0]          jm_i = {{32-CW{1'b0}}, jm};
wire [31:0]          used_i = {{32-CW{1'b0}}, used};
always @* begin
    for (i = 0; i < NW; i = i + 1) begin
        if (!mk || i < jm_i)
            out_data[32*i +: 32] = vec[32*i +: 32];
        else if (i == jm_i)
            out_data[32*i +: 32] = marker_word;
        else
            out_data[32*i +: 32] = vec[32*(i-1) +: 32];
        out_keep[4*i +: 4] = (i < {{32-CW{1'b0}}, out_words}) ? 4'hF : 4'h0;
    end
    for (i = 0; i < NW; i = i + 1)
        left_data[32*i +: 32] = (i + used_i < 2*NW) ? vec[32*(i + used_i) +: 32] : 32'd0;
end

always @(posedge clk) begin
    if (load_ok)
        m_valid_reg <= emit;
    if (emit) begin
        m_data_reg   <= out_data;
        m_keep_reg   <= out_keep;
        m_sop_reg    <= first;
        m_eop_reg    <= out_eop;
        buf_reg      <= left_data;
        buf_cnt_reg  <= avail - used;
        buf_eop_reg  <= end_in && !out_eop;
        posw_reg     <= posw + {{7-CW{1'b0}}, out_words};
        pkt_woff_reg <= pkt_woff + {{14-CW{1'b0}}, out_words};
        lead_reg     <= lead || (mk && mk_lead);
        first_reg    <= out_eop;
    end
    // Unreachable while every beat but the last is full (the stream contract): an accepted
    // beat always completes an output beat. Kept so a short beat is buffered, not lost;
    // excluded from coverage (docs/rtl.md).
    /* verilator coverage_off */
    if (take_in && !emit) begin
        buf_reg      <= vec[DW-1:0];
        buf_cnt_reg  <= avail;
        posw_reg     <= posw;
    end
    /* verilator coverage_on */
    if (rst) begin
        m_valid_reg <= 1'b0;
        buf_cnt_reg <= {CW{1'b0}};
        buf_eop_reg <= 1'b0;
        first_reg   <= 1'b1;
    end
end

// s_pos[1:0] is 0 by construction (FPDUs start 4-aligned)
wire unused_ok = &{1'b0, s_pos[1:0]};

endmodule

`resetall
