// SPDX-License-Identifier: MIT
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * MPA marker removal (RFC 5044 §4.3), receive side, one beat per cycle: the twin of
 * mpa_marker_insert.
 *
 * Input: one FPDU per packet as received, markers included; s_pos carries with the first beat
 * the FPDU's stream offset mod 512 (a multiple of 4). Packets start in lane 0 and are a
 * multiple of 4 bytes long. Every word at a stream offset = 0 mod 512 is a marker.
 *
 * Output: the FPDU without its markers. With the last beat, m_marker_err says that some marker
 * of this FPDU was wrong: its reserved half was not zero, or its FPDUPTR (two LSBs ignored)
 * differs from the distance between the FPDU's ULPDU_Length field and the marker, i.e. from
 * the value fpduptr_for() gives (0 for a marker that leads the FPDU).
 *
 * Removing a marker leaves a beat one word short; leftover words wait in a DATA_BYTES buffer.
 * s_ready = m_ready | ~m_valid: the block accepts a beat every cycle (the wire side runs at
 * line rate), and the shorter output stream has an idle cycle now and then. While the tail of
 * one packet drains from the buffer, the next packet's first beat already moves in.
 *
 * Latency: an output beat is registered 1 cycle after the input beat that completes it.
 * Precondition: the last word of a packet is not a marker (true of every FPDU).
 */
module mpa_marker_strip #
(
    // Bytes per beat: a multiple of 4, 8..256 (at most one marker per beat)
    parameter DATA_BYTES = 8
)
(
    input  wire                    clk,
    input  wire                    rst,

    /* configuration */
    input  wire                    cfg_markers,   // 0: pass through unchanged, never flag

    /* input stream: FPDUs with markers */
    input  wire [DATA_BYTES*8-1:0] s_data,
    input  wire [DATA_BYTES-1:0]   s_keep,
    input  wire                    s_sop,
    input  wire                    s_eop,
    input  wire [8:0]              s_pos,         // stream offset of the FPDU mod 512, with s_sop
    input  wire                    s_valid,
    output wire                    s_ready,

    /* output stream: FPDUs without markers, marker check with the last beat */
    output wire [DATA_BYTES*8-1:0] m_data,
    output wire [DATA_BYTES-1:0]   m_keep,
    output wire                    m_sop,
    output wire                    m_eop,
    output wire                    m_marker_err,
    output wire                    m_valid,
    input  wire                    m_ready
);

localparam NW = DATA_BYTES / 4;
localparam DW = DATA_BYTES * 8;
localparam CW = $clog2(2*NW + 1);

initial begin
    if (DATA_BYTES < 8 || DATA_BYTES > 256 || DATA_BYTES % 4 != 0) begin
        $error("Error: DATA_BYTES must be a multiple of 4 in 8..256 (instance %m)");
        $finish;
    end
end

reg [DW-1:0]    buf_reg = {DW{1'b0}};
reg [CW-1:0]    buf_cnt_reg = {CW{1'b0}};
reg             buf_eop_reg = 1'b0;           // buffer holds a whole packet tail
reg             buf_err_reg = 1'b0;           // marker check of that packet
// Input-side per-packet state
reg [6:0]       posw_reg = 7'd0;              // stream word offset mod 128 of the next input word
reg [13:0]      pkt_woff_reg = 14'd0;         // input words of this packet so far (mod 2^14)
reg             lead_reg = 1'b0;
reg             err_reg = 1'b0;
reg             out_first_reg = 1'b1;         // next output beat is a packet's first

reg [DW-1:0]         m_data_reg = {DW{1'b0}};
reg [DATA_BYTES-1:0] m_keep_reg = {DATA_BYTES{1'b0}};
reg                  m_sop_reg = 1'b0, m_eop_reg = 1'b0, m_err_reg = 1'b0, m_valid_reg = 1'b0;

assign m_data       = m_data_reg;
assign m_keep       = m_keep_reg;
assign m_sop        = m_sop_reg;
assign m_eop        = m_eop_reg;
assign m_marker_err = m_err_reg;
assign m_valid      = m_valid_reg;

wire load_ok = m_ready || !m_valid_reg;
assign s_ready = load_ok;
wire take_in = s_valid && load_ok;

integer i;
reg [CW-1:0] in_cnt;
always @* begin
    in_cnt = {CW{1'b0}};
    for (i = 0; i < NW; i = i + 1)
        if (|s_keep[4*i +: 4])
            in_cnt = i[CW-1:0] + 1'b1;
end

// Marker slot in this input beat
wire        starting = s_sop;
wire [6:0]  posw     = starting ? s_pos[8:2] : posw_reg;
wire [13:0] pkt_woff = starting ? 14'd0 : pkt_woff_reg;
wire [6:0]  jm7      = 7'd0 - posw;
wire [CW-1:0] jm     = jm7[CW-1:0];
localparam [6:0] NW7 = NW[6:0];
wire        mk       = cfg_markers && (jm7 < NW7) && (jm < in_cnt);
wire [31:0] jm_i     = {{32-CW{1'b0}}, jm};
wire [CW-1:0] clean_cnt = take_in ? in_cnt - {{CW-1{1'b0}}, mk} : {CW{1'b0}};

// Marker check
wire        mk_lead  = starting && (jm == 0);
wire        lead     = starting ? (mk && mk_lead) : lead_reg;
wire [13:0] mk_woff  = pkt_woff + {{14-CW{1'b0}}, jm};
wire [15:0] expect_ptr = mk_lead ? 16'd0 : {mk_woff - {13'd0, lead}, 2'b00};
reg  [31:0] mk_word;
always @* begin
    mk_word = 32'd0;
    for (i = 0; i < NW; i = i + 1)
        if (i == jm_i)
            mk_word = s_data[32*i +: 32];
end
// wire bytes: 0,1 reserved; 2,3 FPDUPTR big-endian
wire [15:0] rx_reserved = {mk_word[7:0], mk_word[15:8]};
wire [15:0] rx_ptr      = {mk_word[23:16], mk_word[31:24]};
wire        mk_bad   = mk && (rx_reserved != 16'd0 || {rx_ptr[15:2], 2'b00} != expect_ptr);
wire        err_acc  = (starting ? 1'b0 : err_reg) | mk_bad;

// Input beat without its marker
reg [DW-1:0] in_clean;
always @* begin
    for (i = 0; i < NW; i = i + 1) begin
        if (!mk || i < jm_i)
            in_clean[32*i +: 32] = s_data[32*i +: 32];
        else if (i + 1 < NW)
            in_clean[32*i +: 32] = s_data[32*(i+1) +: 32];
        else
            in_clean[32*i +: 32] = 32'd0;
    end
end

// Buffered words then clean input words (only when the buffer holds no packet tail)
wire [CW-1:0] avail = buf_cnt_reg + clean_cnt;
wire [31:0]   buf_cnt_i = {{32-CW{1'b0}}, buf_cnt_reg};
reg  [2*DW-1:0] vec;
always @* begin
    vec = {2*DW{1'b0}};
    for (i = 0; i < 2*NW; i = i + 1) begin
        if (i < buf_cnt_i)
            vec[32*i +: 32] = buf_reg[32*i +: 32];
        else if (i - buf_cnt_i < NW)
            vec[32*i +: 32] = in_clean[32*(i - buf_cnt_i) +: 32];
    end
end

localparam [CW-1:0] NWC = NW[CW-1:0];
wire end_in   = take_in && s_eop;
// Draining a packet tail: output the buffer, the input (next packet) refills it.
wire drain    = buf_eop_reg;
wire emit     = load_ok && (drain || avail >= NWC || (end_in && avail != 0));
wire out_eop  = drain || (end_in && avail <= NWC);
wire [CW-1:0] out_cnt = drain ? buf_cnt_reg : ((avail < NWC) ? avail : NWC);

reg [DATA_BYTES-1:0] out_keep;
always @* begin
    for (i = 0; i < NW; i = i + 1)
        out_keep[4*i +: 4] = (i < {{32-CW{1'b0}}, out_cnt}) ? 4'hF : 4'h0;
end

always @(posedge clk) begin
    if (load_ok)
        m_valid_reg <= emit;
    if (emit) begin
        m_data_reg    <= drain ? buf_reg : vec[DW-1:0];
        m_keep_reg    <= out_keep;
        m_sop_reg     <= out_first_reg;
        m_eop_reg     <= out_eop;
        m_err_reg     <= drain ? buf_err_reg : (out_eop && err_acc);
        out_first_reg <= out_eop;
    end
    if (drain) begin
        if (emit) begin
            buf_reg     <= in_clean;
            buf_cnt_reg <= clean_cnt;
            buf_eop_reg <= end_in;
            buf_err_reg <= err_acc;
        end
    end else if (emit) begin
        buf_reg     <= vec[2*DW-1:DW];
        buf_cnt_reg <= avail - out_cnt;
        buf_eop_reg <= end_in && !out_eop;
        buf_err_reg <= err_acc;
    end else if (take_in) begin
        buf_reg     <= vec[DW-1:0];
        buf_cnt_reg <= avail;
    end
    if (take_in) begin
        posw_reg     <= posw + {{7-CW{1'b0}}, in_cnt};
        pkt_woff_reg <= pkt_woff + {{14-CW{1'b0}}, in_cnt};
        lead_reg     <= lead;
        err_reg      <= err_acc;
    end
    if (rst) begin
        m_valid_reg   <= 1'b0;
        buf_cnt_reg   <= {CW{1'b0}};
        buf_eop_reg   <= 1'b0;
        out_first_reg <= 1'b1;
    end
end

wire unused_ok = &{1'b0, s_pos[1:0], rx_ptr[1:0]};

endmodule

`resetall
