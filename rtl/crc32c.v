// SPDX-License-Identifier: MIT
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * CRC32c (Castagnoli, reflected 0x82F63B78, init/xorout 0xFFFFFFFF) of an FPDU stream,
 * one beat per cycle, back-to-back packets with no idle beat.
 *
 * Stream: byte i of a beat is s_data[8*i +: 8] (first byte on the wire in lane 0); every
 * packet starts in lane 0; s_keep is all ones except on the last beat, where it holds
 * 1..DATA_BYTES contiguous ones from lane 0.
 *
 * cfg_insert = 1 (transmit): the last 4 bytes of each packet are a placeholder; they are
 *   replaced by the CRC of the bytes before them, least-significant byte first (RFC 5044 /
 *   iSCSI order), or by zeros when cfg_crc_en = 0. Precondition: the packet length is a
 *   multiple of 4 (every FPDU is), so the placeholder lies within the last beat.
 * cfg_insert = 0 (receive): data passes unchanged; with the last beat m_crc is the CRC of
 *   the whole packet and m_crc_ok says whether the packet ends with its own valid CRC
 *   (register residue 0xB798B438), forced to 1 when cfg_crc_en = 0. Any length 1..
 *
 * Datapath: the register update for a full beat is one XOR tree per state bit (a 32 x
 * (32 + 8*DATA_BYTES) GF(2) matrix computed by a constant function at elaboration). A last
 * beat with n covered bytes is processed with its other bytes zeroed, which equals n bytes
 * followed by DATA_BYTES-n zero bytes; the zero bytes are then undone by the inverse zero-byte
 * matrices A^-1, A^-2, A^-4 ... selected by the bits of DATA_BYTES-n (a log2 chain of small
 * 32x32 matrices instead of one full tree per byte count).
 *
 * Latency 1 cycle, throughput 1 beat per cycle; s_ready = m_ready | ~m_valid. The output
 * data and CRC are driven from the beat register through the CRC logic. cfg_* are registered:
 * change them only while no packet is in flight (they apply from the next cycle).
 */
module crc32c #
(
    // Bytes per beat: a multiple of 4, 8..256
    parameter DATA_BYTES = 8
)
(
    input  wire                    clk,
    input  wire                    rst,

    /* configuration, static while packets are in flight */
    input  wire                    cfg_crc_en,
    input  wire                    cfg_insert,

    /* input stream */
    input  wire [DATA_BYTES*8-1:0] s_data,
    input  wire [DATA_BYTES-1:0]   s_keep,
    input  wire                    s_sop,
    input  wire                    s_eop,
    input  wire                    s_valid,
    output wire                    s_ready,

    /* output stream, with the CRC result on the last beat */
    output wire [DATA_BYTES*8-1:0] m_data,
    output wire [DATA_BYTES-1:0]   m_keep,
    output wire                    m_sop,
    output wire                    m_eop,
    output wire                    m_valid,
    input  wire                    m_ready,
    output wire [31:0]             m_crc,
    output wire                    m_crc_ok
);

localparam [31:0] POLY = 32'h82F63B78;
localparam [31:0] RESIDUE = 32'hB798B438;
localparam DW = DATA_BYTES*8;
localparam N = 32 + DW;                       // matrix inputs: {data, state}
localparam CW = $clog2(DATA_BYTES + 1);       // width of a byte count 0..DATA_BYTES
localparam [CW-1:0] FOUR = 4;

// Check the configuration at elaboration
initial begin
    if (DATA_BYTES < 8 || DATA_BYTES > 256 || DATA_BYTES % 4 != 0) begin
        $error("Error: DATA_BYTES must be a multiple of 4 in 8..256 (instance %m)");
        $finish;
    end
end

// The constant functions run only at elaboration: excluded from run-time line coverage.
/* verilator coverage_off */
// Row r (bits [r*N +: N]) lists the inputs {data, state} whose XOR is next-state bit r
// after one full beat; found by running the bit-serial CRC on symbolic state bits.
function [32*N-1:0] beat_matrix(input integer nbytes);
    reg [32*N-1:0] sym;
    reg [N-1:0] fb;
    integer i, k, b;
    begin
        for (b = 0; b < 32; b = b + 1) begin
            sym[b*N +: N] = {N{1'b0}};   // row by row: a 32*N-bit replication trips lint
            sym[b*N + b] = 1'b1;
        end
        for (i = 0; i < nbytes; i = i + 1) begin
            for (k = 0; k < 8; k = k + 1)
                sym[k*N + 32 + 8*i + k] = ~sym[k*N + 32 + 8*i + k];
            for (k = 0; k < 8; k = k + 1) begin
                fb = sym[0 +: N];
                for (b = 0; b < 31; b = b + 1)
                    sym[b*N +: N] = sym[(b+1)*N +: N] ^ (POLY[b] ? fb : {N{1'b0}});
                sym[31*N +: N] = fb;      // POLY[31] = 1
            end
        end
        beat_matrix = sym;
    end
endfunction

// Row r of A^-(8*nbytes): undoes nbytes zero bytes of register update.
function [32*32-1:0] unshift_matrix(input integer nbytes);
    reg [31:0] s;
    reg [32*32-1:0] m;
    integer c, t;
    begin
        m = {32*32{1'b0}};
        for (c = 0; c < 32; c = c + 1) begin
            s = 32'd1 << c;
            for (t = 0; t < 8*nbytes; t = t + 1)
                s = ((s ^ (POLY & {32{s[31]}})) << 1) | {31'd0, s[31]};
            for (t = 0; t < 32; t = t + 1)
                m[t*32 + c] = s[t];
        end
        unshift_matrix = m;
    end
endfunction
/* verilator coverage_on */

localparam [32*N-1:0] BEAT_M = beat_matrix(DATA_BYTES);

// The beat register comes first and the XOR trees work on it, so the trees depend on
// registers only: in simulation they are evaluated once per cycle (after the edge), not again
// whenever an input changes; the configuration is registered for the same reason.
reg  [31:0]           state_reg = 32'hFFFFFFFF;   // register before the beat in the stage
reg  [DW-1:0]         m_data_reg = {DW{1'b0}};
reg  [DATA_BYTES-1:0] m_keep_reg = {DATA_BYTES{1'b0}};
reg                   m_sop_reg = 1'b0, m_eop_reg = 1'b0, m_valid_reg = 1'b0;
reg                   cfg_crc_en_reg = 1'b1, cfg_insert_reg = 1'b0;

assign s_ready  = m_ready || !m_valid_reg;
assign m_keep   = m_keep_reg;
assign m_sop    = m_sop_reg;
assign m_eop    = m_eop_reg;
assign m_valid  = m_valid_reg;

// Valid bytes of the beat (keep is contiguous from lane 0) and the bytes the CRC covers.
reg [CW-1:0] keep_count;
reg [CW-1:0] covered;
integer li;
always @* begin
    keep_count = {CW{1'b0}};
    for (li = 0; li < DATA_BYTES; li = li + 1)
        if (m_keep_reg[li])
            keep_count = li[CW-1:0] + 1'b1;
    covered = keep_count;
    if (cfg_insert_reg && m_eop_reg)
        covered = (keep_count >= 4) ? keep_count - FOUR : {CW{1'b0}};
end

wire [31:0] state_in = m_sop_reg ? 32'hFFFFFFFF : state_reg;
reg  [DW-1:0] data_masked;
always @* begin
    for (li = 0; li < DATA_BYTES; li = li + 1)
        data_masked[8*li +: 8] = (li < covered) ? m_data_reg[8*li +: 8] : 8'd0;
end

// Full-beat update of the masked beat.
wire [N-1:0] mat_in = {data_masked, state_in};
wire [31:0] state_full;
genvar gr;
generate
    for (gr = 0; gr < 32; gr = gr + 1) begin : g_row
        assign state_full[gr] = ^(BEAT_M[gr*N +: N] & mat_in);
    end
endgenerate

// Undo the DATA_BYTES - covered trailing zero bytes, one stage per bit of that count.
wire [CW-1:0] unshift = DATA_BYTES[CW-1:0] - covered;
genvar gs, gb;
generate
    for (gs = 0; gs < CW; gs = gs + 1) begin : g_unshift
        localparam [32*32-1:0] UM = unshift_matrix(1 << gs);
        wire [31:0] in;
        wire [31:0] shifted;
        wire [31:0] out;
        if (gs == 0) begin : g_first
            assign in = state_full;
        end else begin : g_next
            assign in = g_unshift[gs-1].out;
        end
        for (gb = 0; gb < 32; gb = gb + 1) begin : g_bit
            assign shifted[gb] = ^(UM[gb*32 +: 32] & in);
        end
        assign out = unshift[gs] ? shifted : in;
    end
endgenerate
wire [31:0] state_next = g_unshift[CW-1].out;

// On a transmit last beat, lanes covered..covered+3 carry the CRC.
wire [31:0] crc_value = cfg_crc_en_reg ? ~state_next : 32'd0;
reg  [DW-1:0] data_out;
integer crc_lane;
always @* begin
    data_out = m_data_reg;
    crc_lane = {{32-CW{1'b0}}, covered};
    if (cfg_insert_reg && m_eop_reg)
        for (li = 0; li < DATA_BYTES; li = li + 1)
            if (li >= crc_lane && li < crc_lane + 4)
                data_out[8*li +: 8] = crc_value[8*(li - crc_lane) +: 8];
end

assign m_data   = data_out;
assign m_crc    = cfg_insert_reg ? crc_value : ~state_next;
assign m_crc_ok = cfg_insert_reg || !cfg_crc_en_reg || state_next == RESIDUE;

always @(posedge clk) begin
    cfg_crc_en_reg <= cfg_crc_en;
    cfg_insert_reg <= cfg_insert;
    if (m_valid_reg && m_ready)
        state_reg <= state_next;        // the beat in the stage leaves
    if (s_ready) begin
        m_valid_reg <= s_valid;
        if (s_valid) begin
            m_data_reg <= s_data;
            m_keep_reg <= s_keep;
            m_sop_reg  <= s_sop;
            m_eop_reg  <= s_eop;
        end
    end
    if (rst) begin
        m_valid_reg <= 1'b0;
        state_reg   <= 32'hFFFFFFFF;
    end
end

endmodule

`resetall
