import { registry } from "@web/core/registry";

// A salesperson confirms a quotation over the customer's credit limit: the
// order goes on hold and the salesperson asks for a release.
registry.category("web_tour.tours").add("credit_hold_request_tour", {
    steps: () => [
        {
            content: "Confirm the quotation",
            trigger: ".o_statusbar_buttons button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The hold is shown with its reasons; explain the request",
            trigger: ".modal div[name='comment'] textarea",
            run: "edit Payment of the last invoice promised for Friday",
        },
        {
            trigger: ".modal div[name='block_message']:contains('Credit limit')",
        },
        {
            content: "Ask the credit team",
            trigger: ".modal button[name='action_request']",
            run: "click",
        },
        {
            content: "The order shows its credit hold",
            trigger: ".o_form_view .badge:contains('Credit hold')",
        },
    ],
});

// A credit controller opens the hold from the queue and approves it.
registry.category("web_tour.tours").add("credit_hold_approve_tour", {
    steps: () => [
        {
            content: "Open the held order's hold from the queue",
            trigger: ".o_data_row:contains('Tour Credit Customer') .o_data_cell",
            run: "click",
        },
        {
            content: "Decide",
            trigger: ".o_form_view button[name='action_open_decision']",
            run: "click",
        },
        {
            trigger: ".modal div[name='reason'] textarea",
            run: "edit Long-standing customer, payment promised",
        },
        {
            content: "Approve the release",
            trigger: ".modal button[name='action_approve']",
            run: "click",
        },
        {
            content: "The hold is approved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Approved')",
        },
    ],
});

// Back on the order, the salesperson confirms it under the release.
registry.category("web_tour.tours").add("credit_hold_confirm_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .badge:contains('Credit released')",
        },
        {
            content: "Confirm the released order",
            trigger: ".o_statusbar_buttons button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger:
                ".o_statusbar_status button.o_arrow_button_current:contains('Sales Order')",
        },
    ],
});
