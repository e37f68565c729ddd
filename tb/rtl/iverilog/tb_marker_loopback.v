// SPDX-License-Identifier: MIT
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Second-simulator smoke test (Icarus Verilog): rtl/mpa_marker_insert.v feeding
 * rtl/mpa_marker_strip.v, back to back. FPDUs of 8..4096 bytes at contiguous stream offsets
 * (starting on a marker, then from offset 508) must come out of the strip block unchanged,
 * with no marker error, and the insert block must add exactly the expected number of markers;
 * the first FPDU's markers are checked by value (FPDUPTR 0, 508, 1020). Prints PASS or FAIL.
 *   iverilog -g2005 -P tb_marker_loopback.DATA_BYTES=8 -o t tb_marker_loopback.v \
 *       ../../../rtl/mpa_marker_insert.v ../../../rtl/mpa_marker_strip.v && vvp t
 */
module tb_marker_loopback;

parameter DATA_BYTES = 8;
localparam DW = DATA_BYTES * 8;
localparam NPKT = 12;

reg clk = 1'b0, rst = 1'b1;
always #5 clk = ~clk;

reg  [DW-1:0] s_data = 0;
reg  [DATA_BYTES-1:0] s_keep = 0;
reg  s_sop = 0, s_eop = 0, s_valid = 0;
reg  [8:0] s_pos = 0;
wire s_ready;
wire [DW-1:0] x_data;
wire [DATA_BYTES-1:0] x_keep;
wire x_sop, x_eop, x_valid, x_ready;
wire [DW-1:0] m_data;
wire [DATA_BYTES-1:0] m_keep;
wire m_sop, m_eop, m_err, m_valid;

// Stream offset of the FPDU entering the strip block, by FPDU index.
reg [31:0] pkt_pos [0:NPKT-1];
reg [31:0] pkt_len [0:NPKT-1];
integer x_idx = 0;
wire [8:0] x_pos = pkt_pos[x_idx][8:0];

mpa_marker_insert #(.DATA_BYTES(DATA_BYTES)) ins (
    .clk(clk), .rst(rst), .cfg_markers(1'b1),
    .s_data(s_data), .s_keep(s_keep), .s_sop(s_sop), .s_eop(s_eop), .s_pos(s_pos),
    .s_valid(s_valid), .s_ready(s_ready),
    .m_data(x_data), .m_keep(x_keep), .m_sop(x_sop), .m_eop(x_eop), .m_valid(x_valid), .m_ready(x_ready));

mpa_marker_strip #(.DATA_BYTES(DATA_BYTES)) strip (
    .clk(clk), .rst(rst), .cfg_markers(1'b1),
    .s_data(x_data), .s_keep(x_keep), .s_sop(x_sop), .s_eop(x_eop), .s_pos(x_pos),
    .s_valid(x_valid), .s_ready(x_ready),
    .m_data(m_data), .m_keep(m_keep), .m_sop(m_sop), .m_eop(m_eop), .m_marker_err(m_err),
    .m_valid(m_valid), .m_ready(1'b1));

// Input bytes of all FPDUs, in order; checked against the strip output.
reg [7:0] mem [0:65535];
integer total_in = 0, out_bytes = 0, mid_bytes = 0, n_out = 0, errors = 0, k;
integer expect_markers = 0;
integer first_pkt_bytes = 0;

always @(posedge clk) begin
    if (x_valid && x_ready) begin
        // Markers of the first FPDU (stream offset 0, 1036 bytes on the wire): 0, 508, 1020.
        for (k = 0; k < DATA_BYTES; k = k + 1)
            if (x_keep[k] && x_idx == 0 && (first_pkt_bytes + k == 2 || first_pkt_bytes + k == 514 ||
                                            first_pkt_bytes + k == 1026)) begin
                if ({x_data[8*k +: 8], x_data[8*k+8 +: 8]} !== (first_pkt_bytes + k == 2 ? 16'd0 :
                        first_pkt_bytes + k == 514 ? 16'd508 : 16'd1020) ||
                    x_data[8*k-16 +: 16] !== 16'd0) begin
                    $display("FAIL: marker at FPDU offset %0d wrong", first_pkt_bytes + k - 2);
                    errors = errors + 1;
                end
            end
        for (k = 0; k < DATA_BYTES; k = k + 1)
            if (x_keep[k]) begin
                mid_bytes = mid_bytes + 1;
                if (x_idx == 0) first_pkt_bytes = first_pkt_bytes + 1;
            end
        if (x_eop) x_idx = x_idx + 1;
    end
    if (m_valid) begin
        for (k = 0; k < DATA_BYTES; k = k + 1)
            if (m_keep[k]) begin
                if (m_data[8*k +: 8] !== mem[out_bytes]) begin
                    if (errors < 5) $display("FAIL: output byte %0d = %02x, expected %02x", out_bytes, m_data[8*k +: 8], mem[out_bytes]);
                    errors = errors + 1;
                end
                out_bytes = out_bytes + 1;
            end
        if (m_eop) begin
            if (m_err) begin
                $display("FAIL: marker error flagged on FPDU %0d", n_out);
                errors = errors + 1;
            end
            n_out = n_out + 1;
        end
    end
end

task send(input integer start, input integer len, input integer pos);
    integer off, i;
    begin
        for (off = 0; off < len; off = off + DATA_BYTES) begin
            for (i = 0; i < DATA_BYTES; i = i + 1) begin
                s_data[8*i +: 8] = (off + i < len) ? mem[start + off + i] : 8'h00;
                s_keep[i] = off + i < len;
            end
            s_sop = off == 0;
            s_eop = off + DATA_BYTES >= len;
            s_pos = pos[8:0];
            s_valid = 1'b1;
            @(posedge clk);
            while (!s_ready) @(posedge clk);
            #1;
        end
        s_valid = 1'b0;
    end
endtask

integer p, pos, m, wire_len;
initial begin
    pkt_len[0] = 1024; pkt_len[1] = 8;    pkt_len[2] = 20;   pkt_len[3] = 512;
    pkt_len[4] = 508;  pkt_len[5] = 516;  pkt_len[6] = 2000; pkt_len[7] = 4096;
    pkt_len[8] = 12;   pkt_len[9] = 1500; pkt_len[10] = 64;  pkt_len[11] = 3000;
    for (k = 0; k < 65536; k = k + 1) mem[k] = $random;
    // Stream offsets with markers: walk each FPDU word by word (marker before a word at 0 mod 512).
    pos = 0;
    for (p = 0; p < NPKT; p = p + 1) begin
        if (p == 6) pos = 512 * 7 + 508;        // a jump: the next FPDU starts one word before a marker
        pkt_pos[p] = pos;
        wire_len = 0;
        for (k = 0; k < pkt_len[p]; k = k + 4) begin
            if ((pos + wire_len) % 512 == 0) begin
                wire_len = wire_len + 4;
                expect_markers = expect_markers + 1;
            end
            wire_len = wire_len + 4;
        end
        pos = pos + wire_len;
    end
    repeat (3) @(posedge clk);
    #1 rst = 1'b0;
    @(posedge clk);
    #1;
    for (p = 0; p < NPKT; p = p + 1) begin
        send(total_in, pkt_len[p], pkt_pos[p]);
        total_in = total_in + pkt_len[p];
    end
    repeat (20) @(posedge clk);
    if (n_out != NPKT || out_bytes != total_in) begin
        $display("FAIL: %0d FPDUs / %0d bytes out, expected %0d / %0d", n_out, out_bytes, NPKT, total_in);
        errors = errors + 1;
    end
    if (mid_bytes != total_in + 4 * expect_markers) begin
        $display("FAIL: %0d bytes with markers, expected %0d", mid_bytes, total_in + 4 * expect_markers);
        errors = errors + 1;
    end
    if (errors == 0) $display("PASS marker loopback DATA_BYTES=%0d (%0d markers)", DATA_BYTES, expect_markers);
    $finish;
end

endmodule

`resetall
